package dev.sluice.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each field of a YAML document stands, keyed by dotted path ({@code spec.checkpoints.interval}), so that
 * errors found after parsing can still name a line and column.
 */
public final class SourceLocations {
    private final Map<String, int[]> keys = new HashMap<>();
    private final Map<String, int[]> values = new HashMap<>();
    private final List<SpecError> duplicates = new ArrayList<>();
    private final String[] lines;

    private SourceLocations(String text) {
        this.lines = text.split("\n", -1);
    }

    public static SourceLocations of(String yaml) {
        SourceLocations locations = new SourceLocations(yaml);
        try (JsonParser parser = new YAMLFactory().createParser(yaml)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                String path = dotted(parser.getParsingContext().pathAsPointer().toString());
                JsonLocation at = parser.currentTokenLocation();
                int[] position = {at.getLineNr(), at.getColumnNr()};
                if (token == JsonToken.FIELD_NAME) {
                    int[] first = locations.keys.putIfAbsent(path, position);
                    if (first != null && !locations.underDuplicate(path)) {
                        locations.duplicates.add(new SpecError(path, position[0], position[1], "duplicate key '"
                                + parser.currentName() + "' (first at line " + first[0] + ", again at line "
                                + position[0] + "); give each key once"));
                    }
                } else {
                    locations.values.putIfAbsent(path, position);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Syntax errors are reported by the typed parse; a partial map still helps.
        }
        return locations;
    }

    /** Keys given twice in one mapping, each at its second place; a duplicate's own keys are not listed again. */
    public List<SpecError> duplicates() {
        return List.copyOf(duplicates);
    }

    private boolean underDuplicate(String path) {
        return duplicates.stream().anyMatch(d -> path.startsWith(d.field() + "."));
    }

    static String dotted(String pointer) {
        if (pointer.isEmpty()) {
            return "";
        }
        return pointer.substring(1).replace('/', '.');
    }

    /** True when the document gives this field. */
    public boolean has(String field) {
        return keys.containsKey(field) || values.containsKey(field);
    }

    /** Error at the key of a field (an unknown or misspelled one), else where {@link #error} would put it. */
    public SpecError keyError(String field, String message) {
        int[] at = keys.get(field);
        return at == null ? error(field, message) : new SpecError(field, at[0], at[1], message);
    }

    /** Error at the value of a field, or at its key, or at its nearest present parent. */
    public SpecError error(String field, String message) {
        String path = field;
        while (true) {
            int[] at = values.containsKey(path) ? values.get(path) : keys.get(path);
            if (at != null) {
                return new SpecError(field, at[0], at[1], message);
            }
            int dot = path.lastIndexOf('.');
            if (dot < 0) {
                return new SpecError(field, 1, 1, message);
            }
            path = path.substring(0, dot);
        }
    }

    /**
     * Maps a position inside a multi-line string value (such as {@code spec.sql}) to a position in the document.
     * Exact for literal block scalars ({@code sql: |}), which keep the text's lines; otherwise the value's start.
     */
    public int[] insideValue(String field, String value, int line, int column) {
        int[] at = values.get(field);
        if (at == null) {
            return new int[] {0, 0};
        }
        String firstLine = value.lines().findFirst().orElse("").strip();
        for (int i = at[0] - 1; i < lines.length && !firstLine.isEmpty(); i++) {
            int indent = lines[i].indexOf(firstLine);
            if (indent >= 0 && lines[i].strip().equals(firstLine) && i >= at[0]) {
                return new int[] {i + line, indent + column};
            }
        }
        return at;
    }
}
