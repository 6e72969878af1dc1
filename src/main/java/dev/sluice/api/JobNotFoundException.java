package dev.sluice.api;

class JobNotFoundException extends RuntimeException {

    JobNotFoundException(String id) {
        super("No job with id " + id + " (it never existed, or its record expired)");
    }
}
