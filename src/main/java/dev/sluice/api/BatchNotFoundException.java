package dev.sluice.api;

class BatchNotFoundException extends RuntimeException {

    BatchNotFoundException(String id) {
        super("No batch with id " + id + " (it never existed, or its record expired)");
    }
}
