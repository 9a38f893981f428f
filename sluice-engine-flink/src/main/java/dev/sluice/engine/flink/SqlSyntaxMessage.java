package dev.sluice.engine.flink;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.sql.parser.SqlParseException;

/**
 * Words a SQL syntax error as a SQL user reads it: where the statement stopped making sense and what could come there,
 * keeping the parser's own words after it. Calcite's parser says {@code Encountered "<EOF>" at line 1, column 37} and
 * then lists hundreds of expected tokens.
 */
final class SqlSyntaxMessage {
    private static final Pattern ENCOUNTERED = Pattern.compile("Encountered \"(.*?)\" at line \\d+, column \\d+");
    private static final int MAX_LISTED = 8;

    private SqlSyntaxMessage() {}

    /** The message for {@code e}, raised on {@code statement} (the statement's own text, positions 1-based in it). */
    static String of(SqlParseException e, String statement) {
        String first = firstLine(e.getMessage());
        Matcher encountered = ENCOUNTERED.matcher(first);
        String parser = first.replaceAll(" at line \\d+, column \\d+", "").replaceAll("\\.$", "");
        if (!encountered.find()) {
            return parser;
        }
        String token = encountered.group(1);
        // The end of input is placed on the last character read; any other token where it starts.
        int shift = "<EOF>".equals(token) ? 1 : 0;
        String before = e.getPos() == null ? ""
                : wordBefore(statement, e.getPos().getLineNum(), e.getPos().getColumnNum() + shift);
        String expected = expected(e);
        StringBuilder words = new StringBuilder();
        if ("<EOF>".equals(token)) {
            words.append("the statement ends too soon").append(before.isEmpty() ? "" : ", after \"" + before + "\"");
            words.append(expected.isEmpty() ? "; something must follow" : "; expected " + expected);
        } else {
            words.append("unexpected \"").append(token).append('"')
                    .append(before.isEmpty() ? "" : " after \"" + before + "\"")
                    .append(expected.isEmpty() ? "" : "; expected " + expected);
        }
        return words.append(" (Flink's parser: ").append(parser).append(')').toString();
    }

    /** Up to a few tokens the parser would have taken, or nothing when it would take many (any expression, say). */
    private static String expected(SqlParseException e) {
        int[][] sequences = e.getExpectedTokenSequences();
        String[] images = e.getTokenImages();
        if (sequences == null || images == null) {
            return "";
        }
        Set<String> tokens = new LinkedHashSet<>();
        for (int[] sequence : sequences) {
            if (sequence.length > 0 && sequence[0] < images.length) {
                tokens.add(images[sequence[0]].replace("\"", ""));
            }
        }
        tokens.removeIf(t -> t.startsWith("<") || t.isBlank());
        if (tokens.isEmpty() || tokens.size() > MAX_LISTED) {
            return "";
        }
        return tokens.size() == 1 ? tokens.iterator().next() : "one of " + String.join(", ", tokens);
    }

    /** The word that ends just before (line, column) of {@code text}: what the reader last wrote before the error. */
    private static String wordBefore(String text, int line, int column) {
        String[] lines = text.split("\n", -1);
        StringBuilder before = new StringBuilder();
        for (int i = 0; i < Math.min(line - 1, lines.length); i++) {
            before.append(lines[i]).append('\n');
        }
        if (line - 1 < lines.length) {
            String current = lines[line - 1];
            before.append(current, 0, Math.max(0, Math.min(column - 1, current.length())));
        }
        String trimmed = before.toString().stripTrailing();
        int start = trimmed.length();
        while (start > 0 && !Character.isWhitespace(trimmed.charAt(start - 1))) {
            start--;
        }
        String word = trimmed.substring(start);
        return word.length() > 40 ? word.substring(word.length() - 40) : word;
    }

    private static String firstLine(String message) {
        String trimmed = message == null ? "" : message.strip();
        int nl = trimmed.indexOf('\n');
        return nl < 0 ? trimmed : trimmed.substring(0, nl).strip();
    }
}
