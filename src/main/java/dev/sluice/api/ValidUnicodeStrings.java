package dev.sluice.api;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.exc.InvalidFormatException;

import dev.sluice.jobs.JsonText;

/**
 * Reads strings as Jackson does, and refuses one with a lone surrogate ({@code "\ud800"}): it is no
 * character, and stored as UTF-8 it would silently become {@code ?}.
 */
class ValidUnicodeStrings extends StringDeserializer {

    @Override
    public String deserialize(JsonParser parser, DeserializationContext context) throws JacksonException {
        String value = super.deserialize(parser, context);
        if (value != null && !JsonText.isValid(value)) {
            InvalidFormatException e = InvalidFormatException.from(parser, "invalid Unicode", "?", String.class);
            e.initCause(new IllegalArgumentException("holds invalid Unicode (a lone surrogate)"));
            throw e;
        }
        return value;
    }
}
