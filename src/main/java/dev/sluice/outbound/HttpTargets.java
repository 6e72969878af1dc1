package dev.sluice.outbound;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;

/**
 * Where Sluice may send requests (http jobs, callbacks): {@code sluice.http.allowed-targets}, denied by
 * default. A URL is checked when the job is submitted (scheme, host, port, an IP literal) and again
 * when it is sent, after its host is resolved: a host that resolves to a loopback, private, link-local
 * or multicast address is refused unless an entry names that host exactly (never by a wildcard), so a
 * public-looking name cannot lead into the internal network. Redirects are checked the same way.
 */
@Component
public class HttpTargets {

    private static final Logger log = LoggerFactory.getLogger(HttpTargets.class);

    /** One allowed-targets entry: {@code [scheme://]host[:port]}, the host exact or {@code *.suffix}. */
    record Rule(String text, String scheme, String host, boolean wildcard, int port) {

        static Rule parse(String text) {
            String rest = text.trim().toLowerCase(Locale.ROOT);
            String scheme = null;
            int sep = rest.indexOf("://");
            if (sep >= 0) {
                scheme = rest.substring(0, sep);
                rest = rest.substring(sep + 3);
            }
            if (rest.endsWith("/")) {
                rest = rest.substring(0, rest.length() - 1);
            }
            int port = -1;
            int colon = rest.lastIndexOf(':');
            if (colon > 0 && !rest.endsWith("]") && rest.indexOf(':') == colon) {
                port = Integer.parseInt(rest.substring(colon + 1));
                rest = rest.substring(0, colon);
            }
            boolean wildcard = rest.startsWith("*.");
            if (scheme != null && !scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("sluice.http.allowed-targets entry '" + text
                        + "': the scheme must be http or https");
            }
            if (rest.isEmpty() || rest.contains("/") || rest.contains("*") && !wildcard || wildcard && rest.length() < 3) {
                throw new IllegalArgumentException("sluice.http.allowed-targets entry '" + text
                        + "' is not [scheme://]host[:port] with an optional leading *.");
            }
            return new Rule(text, scheme, wildcard ? rest.substring(1) : rest, wildcard, port);
        }

        boolean matches(URI uri) {
            String target = HttpTargets.host(uri);
            if (scheme != null && !scheme.equals(uri.getScheme().toLowerCase(Locale.ROOT))) {
                return false;
            }
            if (port >= 0 && port != HttpTargets.port(uri)) {
                return false;
            }
            if (wildcard) {
                return target.endsWith(host) && !isIpLiteral(target); // host holds ".suffix"
            }
            return target.equals(host);
        }
    }

    /** A target's limits on this node. */
    public record Limit(String name, Semaphore slots, int concurrency, Duration timeout) {
    }

    private record NamedRule(String name, Rule rule, Limit limit) {
    }

    private final List<Rule> rules = new ArrayList<>();
    private final List<NamedRule> limits = new ArrayList<>();

    HttpTargets(SluiceProperties properties) {
        SluiceProperties.Http http = properties.http();
        http.allowedTargets().forEach(text -> rules.add(Rule.parse(text)));
        if (http.demoLocalhost()) {
            rules.add(Rule.parse("http://localhost"));
            rules.add(Rule.parse("http://127.0.0.1"));
            log.warn("The embedded Redis is running (local demo): http jobs and callbacks may call http://localhost "
                    + "and http://127.0.0.1. Configure sluice.http.allowed-targets for anything else.");
        }
        for (Map.Entry<String, SluiceProperties.Http.Target> target : http.targets().entrySet()) {
            SluiceProperties.Http.Target limit = target.getValue();
            limits.add(new NamedRule(target.getKey(), Rule.parse(limit.match()), new Limit(target.getKey(),
                    new Semaphore(limit.concurrency()), limit.concurrency(), limit.timeout())));
        }
    }

    /** Why {@code url} may not be called, or empty when it may (checked at submission, without resolving it). */
    public Optional<String> refusal(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            return Optional.of("is not a URL");
        }
        if (!uri.isAbsolute() || uri.getScheme() == null) {
            return Optional.of("must be an absolute URL (http:// or https://)");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("must use http or https, not " + scheme);
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            return Optional.of("must name a host, without user information");
        }
        if (rules.stream().noneMatch(rule -> rule.matches(uri))) {
            return Optional.of("is not allowed: " + host(uri) + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
                    + " matches no entry of sluice.http.allowed-targets (" + (rules.isEmpty() ? "none configured"
                    : String.join(", ", rules.stream().map(Rule::text).toList())) + ")");
        }
        if (isIpLiteral(host(uri)) && rules.stream().noneMatch(rule -> !rule.wildcard() && rule.matches(uri))) {
            return Optional.of("is an IP address: it needs an entry of sluice.http.allowed-targets naming it");
        }
        return Optional.empty();
    }

    /**
     * Checks {@code uri} just before it is sent: allowed, and, when its host resolves to an internal
     * address, named by an exact entry. Returns why not, or empty.
     */
    public Optional<String> refusalWhenResolved(URI uri) {
        Optional<String> refused = refusal(uri.toString());
        if (refused.isPresent()) {
            return refused;
        }
        boolean named = rules.stream().anyMatch(rule -> !rule.wildcard() && rule.matches(uri));
        if (named) {
            return Optional.empty();
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(host(uri))) {
                if (internal(address)) {
                    return Optional.of(host(uri) + " resolves to the internal address " + address.getHostAddress()
                            + ", which only an entry naming the host exactly allows");
                }
            }
        } catch (UnknownHostException e) {
            return Optional.empty(); // sending fails with its own error, which is retried
        }
        return Optional.empty();
    }

    /** The limits of the first configured target that {@code uri} matches. */
    public Optional<Limit> limit(URI uri) {
        return limits.stream().filter(named -> named.rule().matches(uri)).map(NamedRule::limit).findFirst();
    }

    static boolean internal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address) {
            return (bytes[0] & 0xfe) == 0xfc; // unique local fc00::/7
        }
        return (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64 // carrier-grade NAT 100.64.0.0/10
                || (bytes[0] & 0xff) == 169 && (bytes[1] & 0xff) == 254 // link-local, cloud metadata
                || (bytes[0] & 0xff) == 0;
    }

    static String host(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    static boolean isIpLiteral(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }
}
