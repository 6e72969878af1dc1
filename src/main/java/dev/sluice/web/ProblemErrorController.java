package dev.sluice.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.boot.webmvc.error.ErrorController;

/**
 * The container's error path ({@code /error}): what Tomcat or a servlet filter answered with
 * {@code sendError} (a read time-out, a failed filter) is rendered as problem+json like every other
 * error, never as an HTML page, with no class name or stack trace.
 */
@RestController
@io.swagger.v3.oas.annotations.Hidden
class ProblemErrorController implements ErrorController {

    private static final Logger log = LoggerFactory.getLogger(ProblemErrorController.class);

    @RequestMapping(path = "${server.error.path:/error}", produces = {MediaType.APPLICATION_PROBLEM_JSON_VALUE,
        MediaType.ALL_VALUE})
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer number ? number : 500;
        Object failure = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        if (status >= 500 && failure instanceof Throwable thrown) {
            log.error("Unexpected error on {} {}", request.getMethod(),
                    request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI), thrown);
        }
        Problems type = Problems.forStatus(status);
        ProblemDetail problem = type.detail(status >= 500 ? "The error was logged." : describe(status));
        problem.setStatus(status);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    private static String describe(int status) {
        return switch (status) {
            case 404 -> "There is nothing at this path.";
            case 408 -> "The request body did not arrive in time.";
            default -> "The request could not be handled (HTTP " + status + ").";
        };
    }
}
