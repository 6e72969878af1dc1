package dev.sluice.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class JobTypesTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();

    record Order(@NotBlank String sku, @Min(1) int quantity) {
    }

    static class OrderJob implements JobHandler<Order> {
        private final String type;

        OrderJob(String type) {
            this.type = type;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public Class<Order> payloadType() {
            return Order.class;
        }

        @Override
        public String description() {
            return "test";
        }

        @Override
        public Order example() {
            return new Order("a", 1);
        }

        @Override
        public Object handle(Order payload, JobContext context) {
            return payload.quantity() * 2;
        }
    }

    @Test
    void twoHandlersForOneTypeFailStartUp() {
        assertThatThrownBy(() -> new JobTypes(List.of(new OrderJob("order"), new OrderJob("order")), JSON, VALIDATOR))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'order'");
    }

    @Test
    void aValidPayloadIsNormalizedAndRuns() throws Exception {
        JobTypes types = new JobTypes(List.of(new OrderJob("order")), JSON, VALIDATOR);

        String stored = types.validate("order", JSON.readTree("{\"quantity\":2,\"sku\":\"x\"}"));

        assertThat(JSON.readTree(stored)).isEqualTo(JSON.readTree("{\"sku\":\"x\",\"quantity\":2}"));
        assertThat(types.run("order", stored, new JobContext("id", "order", 1))).isEqualTo("4");
    }

    @Test
    void anAbsentPrimitiveFieldTakesItsZeroValueButAnUnknownFieldIsRefused() {
        JobTypes types = new JobTypes(List.of(new OrderJob("order")), JSON, VALIDATOR);

        assertThatThrownBy(() -> types.validate("order", JSON.readTree("{\"sku\":\"x\"}")))
                .isInstanceOfSatisfying(InvalidJobException.class, e -> assertThat(e.violations())
                        .containsExactly(new Violation("payload.quantity", "must be greater than or equal to 1")));
        assertThatThrownBy(() -> types.validate("order", JSON.readTree("{\"sku\":\"x\",\"quantity\":1,\"qty\":2}")))
                .isInstanceOfSatisfying(InvalidJobException.class, e -> assertThat(e.violations())
                        .containsExactly(new Violation("payload.qty", "is not a known field")));
    }

    @Test
    void everyConstraintViolationIsNamedByItsPayloadPath() {
        JobTypes types = new JobTypes(List.of(new OrderJob("order")), JSON, VALIDATOR);

        assertThatThrownBy(() -> types.validate("order", JSON.readTree("{\"sku\":\"\",\"quantity\":0}")))
                .isInstanceOfSatisfying(InvalidJobException.class, e -> {
                    assertThat(e.kind()).isEqualTo(InvalidJobException.Kind.INVALID_PAYLOAD);
                    assertThat(e.violations()).extracting(Violation::field)
                            .containsExactly("payload.quantity", "payload.sku");
                });
    }

    @Test
    void anUnknownTypeNamesTheRegisteredOnes() {
        JobTypes types = new JobTypes(List.of(new OrderJob("order"), new OrderJob("invoice")), JSON, VALIDATOR);

        assertThatThrownBy(() -> types.validate("refund", null))
                .isInstanceOfSatisfying(InvalidJobException.class, e -> {
                    assertThat(e.kind()).isEqualTo(InvalidJobException.Kind.UNKNOWN_TYPE);
                    assertThat(e.violations().get(0).field()).isEqualTo("type");
                    assertThat(e.violations().get(0).reason()).contains("invoice, order");
                });
    }
}
