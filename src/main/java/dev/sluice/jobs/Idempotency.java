package dev.sluice.jobs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A client's Idempotency-Key with what its request said.
 *
 * @param scope       the endpoint it was sent to ({@code jobs}, {@code batches}, {@code orders}); a key is
 *                    only compared within its scope
 * @param fingerprint a digest of the request's content: the same key with other content is refused
 */
public record Idempotency(String scope, String key, String fingerprint) {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    /**
     * Reads the Idempotency-Key header; null when absent. The fingerprint is a SHA-256 of the parsed
     * request written back as JSON (properties sorted), so white space and field order do not matter but any change of content does.
     */
    public static Idempotency fromHeader(String scope, String key, Object request, JsonMapper json) {
        if (key == null) {
            return null;
        }
        if (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new InvalidJobException(InvalidJobException.Kind.INVALID_REQUEST,
                    List.of(new Violation(HEADER, "must be 1 to 255 visible ASCII characters")));
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(json.writer().with(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
                            .writeValueAsString(request).getBytes(StandardCharsets.UTF_8));
            return new Idempotency(scope, key, HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
