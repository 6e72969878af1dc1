package dev.sluice.security;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Turns the {@code X-API-Key} header into the request's authentication: the {@link Caller} with the
 * role {@code ROLE_PRODUCER} or {@code ROLE_ADMIN}. It decides nothing itself: a request without a
 * valid key simply stays unauthenticated, and the authorization rules (which see the decoded,
 * normalised path) answer 401 or 403.
 */
final class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    static final String HEADER = "X-API-Key";

    private final ApiKeys keys;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    ApiKeyAuthenticationFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Caller caller = keys.identify(request.getHeader(HEADER));
        if (caller != null) {
            SecurityContext context = contexts.createEmptyContext();
            context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(caller, null,
                    List.of(new SimpleGrantedAuthority("ROLE_" + caller.role().name()))));
            contexts.setContext(context);
            request.setAttribute(Caller.ATTRIBUTE, caller);
        }
        chain.doFilter(request, response);
    }
}
