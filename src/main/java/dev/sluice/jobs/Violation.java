package dev.sluice.jobs;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * One thing wrong with a request: the field, as a JSON path such as {@code payload.x}, and why.
 * Reasons are written for people and never name a Java class.
 */
public record Violation(String field, String reason) {

    /** Describes a JSON binding failure at its path under {@code prefix} (which may be empty). */
    public static Violation of(JacksonException e, String prefix) {
        StringBuilder path = new StringBuilder(prefix);
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return new Violation(path.isEmpty() ? "body" : path.toString(), reason(e));
    }

    private static String reason(JacksonException e) {
        if (e instanceof UnrecognizedPropertyException) {
            return "is not a known field";
        }
        if (e.getCause() instanceof IllegalArgumentException cause && cause.getMessage() != null) {
            return cause.getMessage();
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return "must be " + describe(mismatch.getTargetType());
        }
        return "is not valid JSON here";
    }

    private static String describe(Class<?> type) {
        if (Number.class.isAssignableFrom(type) || type == BigDecimal.class || type == BigInteger.class
                || type == int.class || type == long.class || type == double.class) {
            return "a number";
        }
        if (type == String.class || type.isEnum()) {
            return "a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == Duration.class) {
            return "a duration such as 5s or PT5S";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return "a value of another kind";
    }
}
