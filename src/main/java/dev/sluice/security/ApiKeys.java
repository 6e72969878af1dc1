package dev.sluice.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import dev.sluice.config.SluiceProperties;

/**
 * The configured API keys, kept as SHA-256 hashes. With none configured the API is open: every
 * request is {@link Caller#ANONYMOUS} (local development).
 */
final class ApiKeys {

    private record Key(String name, byte[] hash, Caller.Role role, java.util.Set<String> types) {
    }

    private final List<Key> keys;

    ApiKeys(List<SluiceProperties.Security.ApiKey> configured) {
        this.keys = configured.stream().map(k -> new Key(k.name(),
                HexFormat.of().parseHex(k.hash().substring("sha256:".length()).toLowerCase()),
                Caller.Role.valueOf(k.role().toUpperCase()), java.util.Set.copyOf(k.types()))).toList();
    }

    boolean open() {
        return keys.isEmpty();
    }

    /** The caller a key belongs to; null for no key or an unknown one. Every hash is compared, in constant time. */
    Caller identify(String key) {
        if (open()) {
            return Caller.ANONYMOUS;
        }
        if (key == null || key.isEmpty() || key.length() > 1024) {
            return null;
        }
        byte[] hash = sha256(key);
        Caller found = null;
        for (Key candidate : keys) {
            if (MessageDigest.isEqual(candidate.hash(), hash)) {
                found = new Caller(candidate.name(), candidate.role(), candidate.types());
            }
        }
        return found;
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
