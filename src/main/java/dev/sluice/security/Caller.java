package dev.sluice.security;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Who made a request: the name of the API key and its role; {@link #ANONYMOUS} when no keys are
 * configured (everything is allowed then).
 */
public record Caller(String name, Role role, java.util.Set<String> types) {

    /** producer: submit and read its own; worker: claim, renew and finish jobs of its types; admin: everything. */
    public enum Role { PRODUCER, WORKER, ADMIN }

    public static final Caller ANONYMOUS = new Caller(null, Role.ADMIN, java.util.Set.of());

    /** What a request that passed no authentication is: it may read nothing. Never reached by the rules. */
    static final Caller NOBODY = new Caller("", Role.PRODUCER, java.util.Set.of());

    public Caller(String name, Role role) {
        this(name, role, java.util.Set.of());
    }

    /** Whether this caller may claim (and so renew and finish) jobs of {@code type}: an admin, or a worker key listing it. */
    public boolean mayWork(String type) {
        return isAdmin() || role == Role.WORKER && types.contains(type);
    }

    static final String ATTRIBUTE = Caller.class.getName();

    public static Caller of(HttpServletRequest request) {
        Object caller = request.getAttribute(ATTRIBUTE);
        return caller instanceof Caller known ? known : NOBODY;
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** Whether this caller may read (or cancel) something submitted by {@code owner} (null: submitted without a key). */
    public boolean mayRead(String owner) {
        return isAdmin() || name == null || name.equals(owner);
    }

    /**
     * The namespace of this caller's Idempotency-Keys: two API keys never see each other's keys, and
     * no client key can collide with the keys Sluice uses itself.
     */
    public String idempotencyScope(String endpoint) {
        return endpoint + "@" + (name == null ? "" : name);
    }
}
