package dev.sluice.engine.flink;

import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.PipelineRejectedException;
import dev.sluice.model.SpecError;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.config.Lex;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.sql.parser.impl.FlinkSqlParserImpl;
import org.apache.flink.sql.parser.validate.FlinkSqlConformance;
import org.apache.flink.table.api.CompiledPlan;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.internal.TableEnvironmentImpl;

/**
 * Parses, validates and plans a SQL script with Flink's planner at apply time, and compiles it to a plan (FLIP-190)
 * that is stored with the version and run as is on every start, so a restore never depends on the planner choosing
 * the same job graph again.
 */
public final class SqlCompiler {
    private static final String FIELD = "spec.sql";
    private static final Pattern POSITION = Pattern.compile("line (\\d+), column (\\d+)");
    private static final Pattern TABLE = Pattern.compile("table '(?:[^'.]+\\.)*([^'.]+)'");

    /** One compilation at a time: the planner numbers plan nodes with a JVM-wide counter that each compilation resets. */
    public synchronized CompiledPipeline compile(String sql, Map<String, String> flinkConfiguration) {
        List<SqlScript.Statement> statements;
        try {
            statements = SqlScript.split(sql);
        } catch (SqlScript.ScriptException e) {
            throw rejected(new SpecError(FIELD, e.line(), e.column(), e.getMessage()));
        }
        if (statements.isEmpty()) {
            throw rejected(new SpecError(FIELD, 0, 0, "the script has no statements"));
        }
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode()
                .withConfiguration(Configuration.fromMap(flinkConfiguration)).build());
        restartNodeIds(tEnv);
        StatementSet inserts = tEnv.createStatementSet();
        List<SqlScript.Statement> insertStatements = new ArrayList<>();
        for (SqlScript.Statement statement : statements) {
            String keyword = statement.text().stripLeading().split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
            syntaxCheck(statement);
            try {
                switch (keyword) {
                    case "INSERT" -> {
                        inserts.addInsertSql(statement.text());
                        insertStatements.add(statement);
                    }
                    case "SELECT", "WITH" -> throw rejected(at(statement, 1, 1,
                            "a pipeline writes its results: use INSERT INTO a sink table instead of a bare " + keyword));
                    default -> tEnv.executeSql(statement.text());
                }
            } catch (PipelineRejectedException e) {
                throw e;
            } catch (RuntimeException e) {
                throw rejected(describe(statement, statements, e));
            }
        }
        if (insertStatements.isEmpty()) {
            throw rejected(new SpecError(FIELD, 0, 0,
                    "the script has no INSERT INTO statement; a pipeline must write its results to a sink table"));
        }
        try {
            CompiledPlan plan = inserts.compilePlan();
            return new CompiledPipeline(CompiledPipeline.SQL_PLAN, plan.asJsonString());
        } catch (RuntimeException e) {
            throw rejected(describe(insertStatements.get(0), statements, e));
        }
    }

    /**
     * Operator uids of a compiled plan derive from its node ids, which the planner draws from a counter shared by the
     * whole JVM. Starting every compilation from the same count makes the same script always compile to the same uids,
     * so a new version with an unchanged query restores the state of the old one. The planner lives in its own class
     * loader ({@code flink-table-planner-loader}), hence the reflection.
     */
    private static void restartNodeIds(TableEnvironment tEnv) {
        try {
            ClassLoader planner = ((TableEnvironmentImpl) tEnv).getPlanner().getClass().getClassLoader();
            Class.forName("org.apache.flink.table.planner.plan.nodes.exec.ExecNodeContext", true, planner)
                    .getMethod("resetIdCounter").invoke(null);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("cannot reset the planner's node ids; operator uids would not be stable", e);
        }
    }

    /** Flink's SQL parser on its own, which reports where a syntax error stands better than the planner does. */
    private static void syntaxCheck(SqlScript.Statement statement) {
        try {
            SqlParser.create(statement.text(), SqlParser.config()
                    .withParserFactory(FlinkSqlParserImpl.FACTORY)
                    .withConformance(FlinkSqlConformance.DEFAULT)
                    .withLex(Lex.JAVA)
                    .withIdentifierMaxLength(256)).parseStmt();
        } catch (SqlParseException e) {
            SqlParserPos pos = e.getPos();
            String message = SqlSyntaxMessage.of(e, statement.text());
            throw rejected(pos == null ? at(statement, 1, 1, message)
                    : at(statement, pos.getLineNum(), pos.getColumnNum(), message));
        }
    }

    private static PipelineRejectedException rejected(SpecError error) {
        return new PipelineRejectedException(List.of(error));
    }

    private static SpecError at(SqlScript.Statement statement, int line, int column, String message) {
        int[] pos = statement.toScript(line, column);
        return new SpecError(FIELD, pos[0], pos[1], "statement " + statement.index() + ": " + message);
    }

    /** The most telling message of a Flink exception chain, placed at its line in the script. */
    static SpecError describe(SqlScript.Statement statement, List<SqlScript.Statement> all, Throwable error) {
        String top = firstLine(error.getMessage());
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = top.replace("SQL validation failed. SQL validation failed.", "SQL validation failed.");
        if (root != error && root.getMessage() != null && !top.contains(firstLine(root.getMessage()))) {
            message = top + ": " + firstLine(root.getMessage());
        }
        String available = availableFactories(root.getMessage());
        if (available != null) {
            message += " (available: " + available + ")";
        }
        // A table that cannot be created is the fault of its CREATE TABLE statement.
        Matcher table = TABLE.matcher(top);
        if (table.find()) {
            for (SqlScript.Statement s : all) {
                if (createsTable(s.text(), table.group(1))) {
                    return at(s, 1, 1, message);
                }
            }
        }
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            Matcher position = POSITION.matcher(t.getMessage() == null ? "" : t.getMessage());
            if (position.find()) {
                return at(statement, Integer.parseInt(position.group(1)), Integer.parseInt(position.group(2)), message);
            }
        }
        return at(statement, 1, 1, message);
    }

    private static boolean createsTable(String text, String table) {
        return Pattern.compile("^\\s*CREATE\\s+(TEMPORARY\\s+)?TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?(`?[\\w.]+`?\\.)?`?"
                + Pattern.quote(table) + "`?[\\s(]", Pattern.CASE_INSENSITIVE).matcher(text).find();
    }

    private static String availableFactories(String message) {
        if (message == null) {
            return null;
        }
        int at = message.indexOf("Available factory identifiers are:");
        if (at < 0) {
            return null;
        }
        return String.join(", ", message.substring(at + "Available factory identifiers are:".length()).strip().split("\\s+"));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        String trimmed = message.strip();
        int nl = trimmed.indexOf('\n');
        return nl < 0 ? trimmed : trimmed.substring(0, nl).strip();
    }
}
