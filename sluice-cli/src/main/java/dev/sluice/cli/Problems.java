package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.sluice.model.Json;
import dev.sluice.model.Problem;
import dev.sluice.model.SpecError;
import java.util.ArrayList;
import java.util.List;

/** Turns an error response (RFC 9457 problem+json, or anything else) into error lines and an exit code. */
final class Problems {
    private Problems() {}

    /**
     * 404 and 409 and 5xx mean the operation failed (exit 1); any other 4xx is bad input (exit 2). {@code notFound}
     * replaces the server's words for a 404; {@code file} names the document that {@code errors[]} point into.
     */
    static CliException toException(int status, String body, String notFound, String file) {
        JsonNode problem = parse(body);
        if (status == 404 && notFound != null) {
            return new CliException(CliException.FAILED, notFound);
        }
        int exitCode = status >= 400 && status < 500 && status != 404 && status != 409
                ? CliException.BAD_INPUT
                : CliException.FAILED;
        List<String> lines = fieldErrors(problem, file);
        if (lines.isEmpty()) {
            String summary = summary(problem, status, body);
            lines = List.of(status >= 500 ? "server error (HTTP " + status + "): " + summary : summary);
        }
        return new CliException(exitCode, lines);
    }

    /** One {@code FILE:LINE:COLUMN: [document N: ]FIELD: MESSAGE} line per entry of {@code errors}, absent parts left out. */
    static List<String> fieldErrors(JsonNode problem, String file) {
        List<String> lines = new ArrayList<>();
        if (!problem.path("errors").isArray()) {
            return lines;
        }
        Problem typed;
        try {
            typed = Json.MAPPER.treeToValue(problem, Problem.class);
        } catch (JsonProcessingException e) {
            return lines; // not a problem document this client reads: the summary speaks for it
        }
        for (SpecError error : typed.errors() == null ? List.<SpecError>of() : typed.errors()) {
            List<String> parts = new ArrayList<>();
            StringBuilder place = new StringBuilder(file == null ? "" : file);
            if (error.line() > 0) {
                place.append(place.length() > 0 ? ":" : "").append(error.line());
                if (error.column() > 0) {
                    place.append(':').append(error.column());
                }
            }
            if (place.length() > 0) {
                parts.add(place.toString());
            }
            if (error.document() != null) {
                parts.add("document " + error.document());
            }
            if (error.field() != null && !error.field().isEmpty()) {
                parts.add(error.field());
            }
            parts.add(error.message() == null ? "invalid" : error.message());
            lines.add(String.join(": ", parts));
        }
        return lines;
    }

    private static String summary(JsonNode problem, int status, String body) {
        for (String key : List.of("detail", "title", "message", "error")) {
            String text = problem.path(key).asText("");
            if (!text.isBlank()) {
                return text.strip();
            }
        }
        String raw = body == null ? "" : body.strip();
        if (raw.isEmpty() || raw.startsWith("<")) {
            return "HTTP " + status;
        }
        String first = raw.lines().findFirst().orElse("");
        return "HTTP " + status + ": " + (first.length() > 200 ? first.substring(0, 200) + "..." : first);
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode node = body == null || body.isBlank() ? null : Json.MAPPER.readTree(body);
            return node == null ? Json.MAPPER.createObjectNode() : node;
        } catch (Exception e) {
            return Json.MAPPER.createObjectNode();
        }
    }
}
