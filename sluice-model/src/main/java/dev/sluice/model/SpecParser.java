package dev.sluice.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a pipeline YAML document strictly: unknown and mistyped fields, missing names and bad values are errors that
 * name the field path, line and column.
 */
public final class SpecParser {
    private static final Pattern MARK = Pattern.compile("line (\\d+), column (\\d+)");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS);

    /** A parsed document with the locations of its fields. */
    public record Parsed(PipelineDocument document, SourceLocations locations, String text) {}

    public Parsed parse(String text) {
        if (text == null || text.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
            throw new InvalidSpecException(new SpecError("", 1, 1, "the document is empty"));
        }
        SourceLocations locations = SourceLocations.of(text);
        PipelineDocument document;
        try {
            document = yaml.readValue(text, PipelineDocument.class);
        } catch (JsonProcessingException e) {
            throw new InvalidSpecException(placed(e, describe(e), locations));
        }
        List<SpecError> errors = validate(document, locations);
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return new Parsed(document.withDefaults(), locations, text);
    }

    private static List<SpecError> validate(PipelineDocument doc, SourceLocations at) {
        List<SpecError> errors = new ArrayList<>();
        if (doc == null) {
            errors.add(new SpecError("", 1, 1, "the document is empty"));
            return errors;
        }
        if (!PipelineDocument.API_VERSION.equals(doc.apiVersion())) {
            errors.add(at.error("apiVersion", "must be " + PipelineDocument.API_VERSION + ", got " + quote(doc.apiVersion())));
        }
        if (!PipelineDocument.KIND.equals(doc.kind())) {
            errors.add(at.error("kind", "must be " + PipelineDocument.KIND + ", got " + quote(doc.kind())));
        }
        Metadata meta = doc.metadata();
        if (meta == null || meta.name() == null) {
            errors.add(at.error("metadata.name", "is required"));
        } else {
            checkLabel(meta.name(), "metadata.name", at, errors);
        }
        if (meta != null && meta.namespace() != null) {
            checkLabel(meta.namespace(), "metadata.namespace", at, errors);
        }
        PipelineSpec spec = doc.spec();
        if (spec == null) {
            errors.add(at.error("spec", "is required"));
            return errors;
        }
        boolean hasSql = spec.sql() != null && !spec.sql().isBlank();
        if (hasSql == (spec.jar() != null)) {
            errors.add(at.error("spec", "give exactly one of spec.sql and spec.jar"));
        }
        if (spec.jar() != null) {
            if (spec.jar().uri() == null) {
                errors.add(at.error("spec.jar.uri", "is required"));
            }
        }
        if (spec.parallelism() != null && (spec.parallelism() < 1 || spec.parallelism() > PipelineSpec.MAX_PARALLELISM)) {
            errors.add(at.error("spec.parallelism", "must be between 1 and " + PipelineSpec.MAX_PARALLELISM + ", got "
                    + spec.parallelism()));
        }
        if (spec.checkpoints() != null && spec.checkpoints().interval() != null) {
            try {
                if (Durations.parse(spec.checkpoints().interval()).toMillis() < 100) {
                    errors.add(at.error("spec.checkpoints.interval", "must be at least 100ms"));
                }
            } catch (IllegalArgumentException e) {
                errors.add(at.error("spec.checkpoints.interval", e.getMessage()));
            }
        }
        if (spec.checkpoints() != null && spec.checkpoints().fallbackMaxAge() != null) {
            checkDuration(spec.checkpoints().fallbackMaxAge(), "spec.checkpoints.fallbackMaxAge", at, errors);
        }
        if (spec.rollback() != null) {
            if (spec.rollback().readinessTimeout() != null) {
                checkDuration(spec.rollback().readinessTimeout(), "spec.rollback.readinessTimeout", at, errors);
            }
            if (spec.rollback().maxRestarts() != null && spec.rollback().maxRestarts() < 0) {
                errors.add(at.error("spec.rollback.maxRestarts", "must be 0 or more"));
            }
        }
        if (spec.savepoints() != null) {
            if (spec.savepoints().periodic() != null) {
                checkDuration(spec.savepoints().periodic(), "spec.savepoints.periodic", at, errors);
            }
            if (spec.savepoints().retainAge() != null) {
                checkDuration(spec.savepoints().retainAge(), "spec.savepoints.retainAge", at, errors);
            }
            if (spec.savepoints().retainCount() != null && spec.savepoints().retainCount() < 1) {
                errors.add(at.error("spec.savepoints.retainCount", "must be at least 1"));
            }
        }
        if (spec.target() != null && !DNS_LABEL.matcher(spec.target()).matches()) {
            errors.add(at.error("spec.target", "must be a lower-case DNS label, got " + quote(spec.target())));
        }
        if (spec.flinkConfiguration() != null) {
            for (Map.Entry<String, String> e : spec.flinkConfiguration().entrySet()) {
                if (e.getValue() == null) {
                    errors.add(at.error("spec.flinkConfiguration." + e.getKey(), "needs a value"));
                }
            }
        }
        return errors;
    }

    private static void checkDuration(String value, String field, SourceLocations at, List<SpecError> errors) {
        try {
            Durations.parse(value);
        } catch (IllegalArgumentException e) {
            errors.add(at.error(field, e.getMessage()));
        }
    }

    private static void checkLabel(String value, String field, SourceLocations at, List<SpecError> errors) {
        if (!DNS_LABEL.matcher(value).matches()) {
            errors.add(at.error(field,
                    "must be a lower-case DNS label (a-z, 0-9, '-', at most 63, starting and ending alphanumeric), got "
                            + quote(value)));
        }
    }

    private static String quote(String s) {
        return s == null ? "nothing" : "\"" + s + "\"";
    }

    /**
     * Jackson places some errors after the offending token; the field's own position is better when known: its key for
     * an unknown field, else its value.
     */
    private static SpecError placed(JsonProcessingException e, SpecError error, SourceLocations locations) {
        if (syntaxError(e) != null || error.field() == null || error.field().isEmpty() || !locations.has(error.field())) {
            return error;
        }
        return e instanceof UnrecognizedPropertyException
                ? locations.keyError(error.field(), error.message())
                : locations.error(error.field(), error.message());
    }

    /** The YAML syntax error behind an exception, if that is what it is (Jackson may wrap it in a mapping error). */
    private static StreamReadException syntaxError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StreamReadException read) {
                return read;
            }
        }
        return null;
    }

    private static SpecError describe(JsonProcessingException e) {
        StreamReadException syntax = syntaxError(e);
        if (syntax != null) {
            // The scanner's message names the problem mark last ("... line 5, column 2:"); the location does not.
            String message = syntax.getOriginalMessage().strip();
            Matcher mark = MARK.matcher(message);
            int[] at = {0, 0};
            while (mark.find()) {
                at = new int[] {Integer.parseInt(mark.group(1)), Integer.parseInt(mark.group(2))};
            }
            if (at[0] == 0 && syntax.getLocation() != null) {
                at = new int[] {syntax.getLocation().getLineNr(), syntax.getLocation().getColumnNr()};
            }
            return new SpecError("", at[0], at[1], "not valid YAML: " + message);
        }
        JsonLocation loc = e.getLocation();
        int line = loc == null ? 0 : loc.getLineNr();
        int column = loc == null ? 0 : loc.getColumnNr();
        if (e instanceof JsonMappingException mapping) {
            String path = mapping.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            if (e instanceof UnrecognizedPropertyException unknown) {
                List<String> known = unknown.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
                return new SpecError(path, line, column, "unknown field '" + unknown.getPropertyName()
                        + "'; known fields here: " + String.join(", ", known));
            }
            if (e instanceof InvalidFormatException format) {
                return new SpecError(path, line, column, "expected " + typeName(format.getTargetType())
                        + ", got " + quote(String.valueOf(format.getValue())));
            }
            if (e instanceof ValueInstantiationException inst && inst.getCause() != null) {
                return new SpecError(path, line, column, inst.getCause().getMessage());
            }
            if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
                return new SpecError(path, line, column, "expected " + typeName(mismatch.getTargetType()));
            }
            return new SpecError(path, line, column, e.getOriginalMessage());
        }
        return new SpecError("", line, column, "not valid YAML: " + e.getOriginalMessage());
    }

    private static String typeName(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a mapping";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type.isEnum()) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            String names = Wire.names((Class) type);
            return "one of " + names;
        }
        return "a mapping";
    }
}
