package dev.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.sluice.model.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Prints documents as JSON or YAML, and formats the cells of tables: ages, sizes, absent values. */
final class Output {
    static final String NONE = "<none>";

    private static final ObjectWriter PRETTY = Json.MAPPER.writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE));

    private Output() {}

    /** Prints {@code document} when the format is JSON or YAML and says whether it did. */
    static boolean document(PrintWriter out, ClientOptions.Format format, JsonNode document) {
        try {
            switch (format) {
                case JSON -> out.println(PRETTY.writeValueAsString(document));
                case YAML -> out.print(Json.YAML.writeValueAsString(document));
                default -> {
                    return false;
                }
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
        return true;
    }

    /** The text of a scalar, or {@code <none>} when absent, null or empty; line breaks become spaces. */
    static String text(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return NONE;
        }
        String text = node.isValueNode() ? node.asText() : node.toString();
        return text.isBlank() ? NONE : text.strip().replaceAll("\\s*[\\r\\n\\t]+\\s*", " ");
    }

    /** A model value as the API writes it: an enum by its wire name; null as {@code <none>}. */
    static String cell(Object value) {
        if (value == null) {
            return NONE;
        }
        return value instanceof Enum<?> e ? dev.sluice.model.Wire.of(e) : oneLine(value.toString());
    }

    /** Text on one line: line breaks become spaces; blank is {@code <none>}. */
    static String oneLine(String text) {
        return text == null || text.isBlank() ? NONE : text.strip().replaceAll("\\s*[\\r\\n\\t]+\\s*", " ");
    }

    /** How long ago an instant was ({@code <unknown>} when absent). */
    static String age(Instant instant) {
        return instant == null ? "<unknown>" : age(Duration.between(instant, Instant.now()));
    }

    /** Bytes in binary units, or {@code <none>}. */
    static String size(Long bytes) {
        return bytes == null ? NONE : size(new com.fasterxml.jackson.databind.node.LongNode(bytes));
    }

    /** How long ago an ISO-8601 instant was, the way kubectl says it: {@code 45s}, {@code 5m30s}, {@code 3h}, {@code 4d}. */
    static String age(JsonNode instant) {
        if (instant == null || !instant.isTextual()) {
            return "<unknown>";
        }
        try {
            return age(Duration.between(Instant.parse(instant.asText()), Instant.now()));
        } catch (DateTimeParseException e) {
            return "<unknown>";
        }
    }

    static String age(Duration age) {
        long s = Math.max(0, age.toSeconds());
        long m = s / 60;
        long h = m / 60;
        long d = h / 24;
        if (s < 120) {
            return s + "s";
        } else if (m < 10) {
            return s % 60 == 0 ? m + "m" : m + "m" + (s % 60) + "s";
        } else if (h < 3) {
            return m + "m";
        } else if (h < 8) {
            return m % 60 == 0 ? h + "h" : h + "h" + (m % 60) + "m";
        } else if (h < 48) {
            return h + "h";
        } else if (d < 8) {
            return h % 24 == 0 ? d + "d" : d + "d" + (h % 24) + "h";
        } else if (d < 730) {
            return d + "d";
        }
        return (d / 365) + "y";
    }

    /** Bytes in binary units: {@code 512B}, {@code 1.5KiB}, {@code 12MiB}. */
    static String size(JsonNode bytes) {
        if (bytes == null || !bytes.canConvertToLong()) {
            return NONE;
        }
        double value = bytes.asLong();
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 || value >= 10
                ? Math.round(value) + units[unit]
                : String.format(java.util.Locale.ROOT, "%.1f%s", value, units[unit]);
    }
}
