package dev.sluice.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
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
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a pipeline YAML document strictly: unknown and mistyped fields, missing names and bad values are errors that
 * name the field path, line and column.
 */
public final class SpecParser {
    private static final Pattern MARK = Pattern.compile("line (\\d+), column (\\d+)");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    // Ambiguous input is bad input: a key given twice (Jackson would keep the last) and a fraction where a whole number
    // belongs (Jackson would truncate it) are refused.
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS);

    /** A parsed document with the locations of its fields, and its number in its file (1 in a file of one). */
    public record Parsed(PipelineDocument document, SourceLocations locations, String text, int number) {
        public Parsed(PipelineDocument document, SourceLocations locations, String text) {
            this(document, locations, text, 1);
        }
    }

    /**
     * Reads a file of one or more YAML documents ({@code ---}): all of them, each checked as {@link #parse} does. Any
     * error in any document fails the whole file, every error naming its document (when there are several) and line.
     * Empty documents (a trailing {@code ---}) carry nothing and are passed over.
     */
    public List<Parsed> parseAll(String text) {
        List<Documents.Document> documents = documents(text == null ? "" : text);
        if (documents.isEmpty()) {
            throw new InvalidSpecException(new SpecError("", 1, 1, "the document is empty"));
        }
        if (documents.size() == 1) {
            return List.of(parse(documents.get(0).text()));
        }
        List<Parsed> parsed = new ArrayList<>();
        List<SpecError> errors = new ArrayList<>();
        for (Documents.Document document : documents) {
            try {
                Parsed one = parse(document.text());
                parsed.add(new Parsed(one.document(), one.locations(), one.text(), document.number()));
            } catch (InvalidSpecException e) {
                e.errors().forEach(error -> errors.add(error.inDocument(document.number())));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return parsed;
    }

    /** Reads exactly one YAML document; a file of several is refused (see {@link #parseAll}). */
    public Parsed parse(String text) {
        if (text == null || text.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
            throw new InvalidSpecException(new SpecError("", 1, 1, "the document is empty"));
        }
        List<Documents.Document> documents = documents(text);
        if (documents.size() > 1) {
            throw new InvalidSpecException(new SpecError("", firstLine(documents.get(1).text()), 1, "the file holds "
                    + documents.size() + " YAML documents; this takes one pipeline"));
        }
        SourceLocations locations = SourceLocations.of(text);
        PipelineDocument document;
        try {
            document = yaml.readValue(text, PipelineDocument.class);
        } catch (JsonProcessingException e) {
            StreamReadException syntax = syntaxError(e);
            boolean duplicate = syntax != null && String.valueOf(syntax.getOriginalMessage()).startsWith("Duplicate field");
            if ((syntax == null || duplicate) && !locations.duplicates().isEmpty()) {
                throw new InvalidSpecException(locations.duplicates());
            }
            throw new InvalidSpecException(placed(e, describe(e), locations));
        }
        if (!locations.duplicates().isEmpty()) {
            throw new InvalidSpecException(locations.duplicates());
        }
        List<SpecError> errors = validate(document, locations);
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return new Parsed(document.withDefaults(), locations, text);
    }

    /** The documents of a file; a syntax error anywhere is reported with its place, as the typed parse words it. */
    private List<Documents.Document> documents(String text) {
        try {
            return Documents.split(text);
        } catch (YAMLException notYaml) {
            try (JsonParser tokens = yaml.getFactory().createParser(text)) {
                while (tokens.nextToken() != null) {
                    // read to the error
                }
            } catch (JsonProcessingException e) {
                throw new InvalidSpecException(describe(e));
            } catch (IOException e) {
                // reported below
            }
            throw new InvalidSpecException(new SpecError("", 1, 1, "not valid YAML: " + notYaml.getMessage()));
        }
    }

    private static int firstLine(String blankedDocument) {
        String leading = blankedDocument.substring(0, blankedDocument.length() - blankedDocument.stripLeading().length());
        return (int) leading.chars().filter(c -> c == '\n').count() + 1;
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
