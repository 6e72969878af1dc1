package dev.sluice.queue;

import java.util.regex.Pattern;

/**
 * What a remote worker holds for one claimed job and shows to renew or finish it: the worker, the
 * attempt and the lease that claim.lua gave it. Its text form, the {@code leaseToken} of the API, is
 * {@code <workerId>~<attempt>~<lease>}; the lease part is random, so only the claimer knows it.
 */
public record RemoteLease(String workerId, int attempt, String lease) {

    /** A worker id: 1 to 64 of letters, digits, dot, dash and underscore. */
    public static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern ATTEMPT = Pattern.compile("[1-9][0-9]{0,5}");
    private static final Pattern LEASE = Pattern.compile("[A-Za-z0-9]{22}\\.[1-9][0-9]{0,3}");

    public String token() {
        return workerId + "~" + attempt + "~" + lease;
    }

    /** The lease a token names; null when the text is not a well-formed lease token. */
    public static RemoteLease parse(String token) {
        if (token == null || token.length() > 128) {
            return null;
        }
        String[] parts = token.split("~", -1);
        if (parts.length != 3 || !WORKER_ID.matcher(parts[0]).matches() || !ATTEMPT.matcher(parts[1]).matches()
                || !LEASE.matcher(parts[2]).matches()) {
            return null;
        }
        return new RemoteLease(parts[0], Integer.parseInt(parts[1]), parts[2]);
    }
}
