package dev.sluice.jobs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

/** A string holding a non-negative duration, as read by {@link Durations}; null is allowed. */
@Documented
@Constraint(validatedBy = ValidDuration.Check.class)
@Target({ElementType.FIELD, ElementType.RECORD_COMPONENT, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
public @interface ValidDuration {

    String message() default "must be " + Durations.EXAMPLES;

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Check implements ConstraintValidator<ValidDuration, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            return value == null || Durations.parse(value).isPresent();
        }
    }
}
