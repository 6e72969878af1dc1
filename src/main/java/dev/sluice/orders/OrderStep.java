package dev.sluice.orders;

/** The stages of an order after it was accepted, in order, with the state each one reaches. */
enum OrderStep {
    PAYMENT("paid"), PICKING("picked"), SHIPPING("shipped"), DELIVERY("delivered");

    private final String reaches;

    OrderStep(String reaches) {
        this.reaches = reaches;
    }

    String wire() {
        return name().toLowerCase();
    }

    String reaches() {
        return reaches;
    }

    OrderStep next() {
        return ordinal() + 1 < values().length ? values()[ordinal() + 1] : null;
    }

    /** Whether an order in {@code state} has already been through this step. */
    boolean doneIn(String state) {
        for (OrderStep step : values()) {
            if (step.reaches.equals(state)) {
                return step.ordinal() >= ordinal();
            }
        }
        return false;
    }
}
