package dev.sluice.web;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat's own error answers (a request it refuses before Spring sees it: an encoded slash or
 * backslash, a NUL, headers over the limit) as problem+json instead of Tomcat's HTML page. Installed
 * as the host's error report valve.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        Problems type = Problems.forStatus(status);
        if (status == 400) {
            type = Problems.REJECTED_REQUEST;
        }
        String detail = status >= 500 ? "The error was logged."
                : "The request was refused before it reached the API (HTTP " + status + ").";
        String body = "{\"type\":\"" + type.type() + "\",\"title\":\"" + type.detail("").getTitle()
                + "\",\"status\":" + status + ",\"detail\":\"" + detail + "\"}";
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client has gone, or the response was committed meanwhile: nothing more to say
        }
    }
}
