package dev.sluice.jobs;

import java.util.Map;

import tools.jackson.databind.JsonNode;

/** Checks on the text inside JSON that the parser lets through. */
public final class JsonText {

    private JsonText() {
    }

    /**
     * The path of the first string (or field name) in {@code node} that holds a lone UTF-16 surrogate
     * (JSON allows {@code "\ud800"}, but it is no character: stored as UTF-8 it would become {@code ?}),
     * or null when all text is valid.
     */
    public static String invalidUnicodeAt(JsonNode node, String path) {
        if (node.isString()) {
            return isValid(node.asString()) ? null : path.isEmpty() ? "body" : path;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = invalidUnicodeAt(node.get(i), path + "[" + i + "]");
                if (found != null) {
                    return found;
                }
            }
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String at = (path.isEmpty() ? "" : path + ".") + printable(field.getKey());
                if (!isValid(field.getKey())) {
                    return at;
                }
                String found = invalidUnicodeAt(field.getValue(), at);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** Whether every surrogate in {@code text} is half of a pair. */
    public static boolean isValid(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** A field name as it can be shown in an error: visible ASCII, at most 64 characters. */
    static String printable(String name) {
        String visible = name.replaceAll("[^\\x21-\\x7e]", "?");
        return visible.length() > 64 ? visible.substring(0, 64) + "..." : visible;
    }
}
