package dev.sluice.engine.flink;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.sql.parser.impl.FlinkSqlParserImplConstants;
import org.apache.flink.sql.parser.impl.FlinkSqlParserImplTokenManager;
import org.apache.flink.sql.parser.impl.SimpleCharStream;
import org.apache.flink.sql.parser.impl.Token;
import org.apache.flink.sql.parser.impl.TokenMgrError;

/**
 * Splits a SQL script into statements with Flink's own SQL tokenizer, so semicolons inside comments, string literals
 * and quoted identifiers never split a statement. Each statement keeps the line and column where it starts.
 */
public final class SqlScript {

    /** One statement: its text (without the closing semicolon), 1-based index, and where it starts in the script. */
    public record Statement(int index, String text, int line, int column) {
        /** Maps a position inside this statement to the script. */
        public int[] toScript(int statementLine, int statementColumn) {
            return statementLine == 1
                    ? new int[] {line, column + statementColumn - 1}
                    : new int[] {line + statementLine - 1, statementColumn};
        }
    }

    /** A script that the tokenizer cannot read (an unclosed string or comment, a stray character). */
    public static final class ScriptException extends RuntimeException {
        private final int line;
        private final int column;

        ScriptException(String message, int line, int column) {
            super(message);
            this.line = line;
            this.column = column;
        }

        public int line() {
            return line;
        }

        public int column() {
            return column;
        }
    }

    private SqlScript() {}

    public static List<Statement> split(String script) {
        int[] lineStarts = lineStarts(script);
        FlinkSqlParserImplTokenManager tokens = new FlinkSqlParserImplTokenManager(new TabAsOneColumn(script),
                FlinkSqlParserImplConstants.BTID);
        List<Statement> statements = new ArrayList<>();
        Token first = null;
        Token last = null;
        while (true) {
            Token token;
            try {
                token = tokens.getNextToken();
            } catch (TokenMgrError e) {
                int[] at = errorPosition(e.getMessage());
                throw new ScriptException(firstLine(e.getMessage()), at[0], at[1]);
            }
            boolean end = token.kind == FlinkSqlParserImplConstants.EOF;
            if (end || token.kind == FlinkSqlParserImplConstants.SEMICOLON) {
                if (first != null) {
                    int from = offset(lineStarts, first.beginLine, first.beginColumn);
                    int to = offset(lineStarts, last.endLine, last.endColumn) + 1;
                    statements.add(new Statement(statements.size() + 1, script.substring(from, to),
                            first.beginLine, first.beginColumn));
                }
                first = null;
                if (end) {
                    return statements;
                }
                continue;
            }
            if (first == null) {
                first = token;
            }
            last = token;
        }
    }

    private static int[] lineStarts(String s) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int offset(int[] lineStarts, int line, int column) {
        return lineStarts[line - 1] + column - 1;
    }

    static int[] errorPosition(String message) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("line (\\d+), column (\\d+)").matcher(message);
        return m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : new int[] {0, 0};
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** Counts a tab as one column, as editors and our line mapping do. */
    private static final class TabAsOneColumn extends SimpleCharStream {
        TabAsOneColumn(String text) {
            super(new StringReader(text));
            setTabSize(1);
        }
    }
}
