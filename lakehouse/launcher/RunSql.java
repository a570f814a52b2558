import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs Flink SQL files through a TableEnvironment: on an embedded mini-cluster
 * by default, or on a running Flink cluster when the configuration names one
 * (execution.target=remote, rest.address, rest.port).
 *
 * <pre>
 * java ... RunSql [--mode streaming|batch] [--var NAME=VALUE]... [--conf KEY=VALUE]...
 *                 [--resume-from DIR] [--stop-after-ms N] [--savepoint-dir DIR] FILE.sql...
 * </pre>
 *
 * Why a launcher rather than Flink's SQL client: the SQL client exits 0 when a
 * statement fails, and it cannot stop a streaming job with a final savepoint.
 * Here every statement that fails ends the run with exit code 1 and names the
 * file and line of the statement; an INSERT job that fails does the same.
 *
 * Statements: DDL runs at once; SET 'k' = 'v' and RESET change the
 * configuration of the statements that follow; each INSERT (or EXECUTE
 * STATEMENT SET) is one job. In batch mode, and in streaming mode over bounded
 * sources, each job runs to its end before the next statement. An unbounded
 * streaming job runs until SIGTERM/SIGINT or --stop-after-ms, and is then
 * stopped with a savepoint so its last rows are committed (Iceberg commits on
 * checkpoints). A SELECT prints its rows to stdout as JSON lines.
 */
public final class RunSql {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}");
  private static final Pattern SET = Pattern.compile("(?is)^SET\\s+'([^']+)'\\s*=\\s*'((?:[^']|'')*)'$");
  private static final Pattern RESET = Pattern.compile("(?is)^RESET(?:\\s+'([^']+)')?$");
  private static final Pattern JOB_STATEMENT =
      Pattern.compile("(?is)^(INSERT\\s|EXECUTE\\s+STATEMENT\\s+SET|BEGIN\\s+STATEMENT\\s+SET).*");
  private static final Pattern QUERY = Pattern.compile("(?is)^(SELECT|WITH|SHOW|DESCRIBE|DESC|EXPLAIN)\\s.*");

  private static volatile boolean stopRequested = false;
  private static int exitCode = 0;
  private static long started;

  record Statement(String file, int line, String text) {
    String where() {
      return file + ":" + line;
    }
  }

  public static void main(String[] args) throws Exception {
    String mode = "streaming";
    Map<String, String> vars = new LinkedHashMap<>();
    Configuration conf = new Configuration();
    List<Path> files = new ArrayList<>();
    String resumeFrom = null;
    String savepointDir = null;
    long stopAfterMs = -1;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--mode" -> mode = args[++i];
        case "--var" -> {
          String[] kv = args[++i].split("=", 2);
          vars.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        case "--conf" -> {
          String[] kv = args[++i].split("=", 2);
          conf.setString(kv[0], kv.length > 1 ? kv[1] : "");
        }
        case "--resume-from" -> resumeFrom = args[++i];
        case "--savepoint-dir" -> savepointDir = args[++i];
        case "--stop-after-ms" -> stopAfterMs = Long.parseLong(args[++i]);
        default -> files.add(Paths.get(arg));
      }
    }
    if (!mode.equals("streaming") && !mode.equals("batch")) fail("--mode must be streaming or batch, not " + mode);
    if (files.isEmpty()) fail("no SQL file given");
    conf.setString("execution.runtime-mode", mode);
    if (resumeFrom != null) {
      Optional<Path> latest = latestSnapshot(Paths.get(resumeFrom));
      if (latest.isPresent()) {
        conf.setString("execution.state-recovery.path", latest.get().toString());
        status("resuming from " + latest.get());
      }
    }

    List<Statement> statements = new ArrayList<>();
    for (Path file : files) statements.addAll(split(file, vars));

    TableEnvironment env = TableEnvironment.create(
        EnvironmentSettings.newInstance().withConfiguration(conf).build());
    final String savepoints = savepointDir;
    // SIGTERM/SIGINT ask the main loop to stop the jobs with savepoints. Not a
    // shutdown hook: by the time hooks run, Iceberg's own hook has shut its
    // worker pool and the final commit fails.
    for (String name : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stopRequested = true);
    }

    started = System.currentTimeMillis();
    for (Statement statement : statements) {
      if (stopRequested) break;
      run(env, statement, mode, stopAfterMs, savepoints);
    }
    awaitJobs(stopAfterMs, savepoints);
    status("done");
    System.err.flush();
    // The planner and the mini-cluster leave non-daemon threads behind.
    Runtime.getRuntime().halt(exitCode);
  }

  record Submitted(Statement statement, JobClient job) {}

  private static final List<Submitted> pending = new ArrayList<>();

  private static void run(TableEnvironment env, Statement statement, String mode, long stopAfterMs, String savepoints)
      throws Exception {
    String sql = statement.text();
    Matcher set = SET.matcher(sql);
    if (set.matches()) {
      env.getConfig().getConfiguration().setString(set.group(1), set.group(2).replace("''", "'"));
      return;
    }
    if (RESET.matcher(sql).matches()) {
      fail(statement, "RESET is not supported by this launcher; SET the value again");
    }
    TableResult result;
    try {
      result = env.executeSql(sql);
    } catch (Exception e) {
      fail(statement, rootMessage(e));
      return;
    }
    if (JOB_STATEMENT.matcher(sql).matches()) {
      JobClient job = result.getJobClient().orElseThrow();
      status("job " + job.getJobID() + " submitted (" + statement.where() + ")");
      pending.add(new Submitted(statement, job));
      // A batch job's output is the next statement's input: run it to its end first.
      if (mode.equals("batch")) awaitJobs(stopAfterMs, savepoints);
    } else if (QUERY.matcher(sql).matches()) {
      printRows(statement, result);
    }
  }

  /**
   * Waits for every submitted job: a job that fails ends the run (exit 1) at
   * once, whichever it is; past the deadline or on SIGTERM/SIGINT, the ones
   * still running are stopped with a savepoint.
   */
  private static void awaitJobs(long stopAfterMs, String savepoints) throws Exception {
    long deadline = stopAfterMs > 0 ? started + stopAfterMs : Long.MAX_VALUE;
    while (!pending.isEmpty()) {
      if (stopRequested || System.currentTimeMillis() >= deadline) {
        for (Submitted each : pending) {
          if (!stop(each.job(), savepoints)) exitCode = 1;
        }
        pending.clear();
        return;
      }
      for (Submitted each : new ArrayList<>(pending)) {
        JobClient job = each.job();
        JobStatus state;
        try {
          state = job.getJobStatus().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          // A finished job of the mini-cluster may already be gone: its result says how it ended.
          state = null;
        }
        if (state != null && !state.isGloballyTerminalState()) continue;
        try {
          job.getJobExecutionResult().get();
        } catch (Exception e) {
          fail(each.statement(), "job " + job.getJobID() + " failed: " + rootMessage(e));
        }
        status("job " + job.getJobID() + " " + (state == null ? "finished" : state.name().toLowerCase()));
        pending.remove(each);
      }
      Thread.sleep(200);
    }
  }

  /** Stops a job with a savepoint: its sinks commit what they wrote, and a later run can resume from it. */
  private static boolean stop(JobClient job, String savepoints) {
    try {
      String path = job.stopWithSavepoint(false, savepoints, SavepointFormatType.CANONICAL)
          .get(120, TimeUnit.SECONDS);
      status("job " + job.getJobID() + " stopped with savepoint " + path);
      return true;
    } catch (Exception e) {
      System.err.println("lakehouse: stopping job " + job.getJobID() + " with a savepoint failed: " + rootMessage(e)
          + "; cancelling it (the next run resumes from its last checkpoint)");
      job.cancel();
      return false;
    }
  }

  /** The newest savepoint or retained checkpoint under dir (a directory holding _metadata). */
  static Optional<Path> latestSnapshot(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return Optional.empty();
    try (Stream<Path> paths = Files.walk(dir, 4)) {
      return paths
          .filter(p -> p.getFileName().toString().equals("_metadata"))
          .max(Comparator.comparingLong(p -> p.toFile().lastModified()))
          .map(Path::getParent);
    }
  }

  private static void printRows(Statement statement, TableResult result) {
    List<Column> columns = result.getResolvedSchema().getColumns();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (CloseableIterator<Row> rows = result.collect()) {
      while (rows.hasNext()) {
        Row row = rows.next();
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < columns.size(); i++) {
          if (i > 0) json.append(',');
          quote(json, columns.get(i).getName());
          json.append(':');
          value(json, row.getField(i));
        }
        out.println(json.append('}'));
      }
    } catch (Exception e) {
      fail(statement, rootMessage(e));
    }
  }

  private static void value(StringBuilder json, Object value) {
    if (value == null) {
      json.append("null");
    } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long
        || value instanceof Short || value instanceof Byte || value instanceof BigDecimal) {
      json.append(value);
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isFinite(d)) json.append(value);
      else json.append("null");
    } else if (value instanceof Instant instant) {
      quote(json, instant.toString());
    } else if (value instanceof LocalDateTime time) {
      quote(json, time.toInstant(ZoneOffset.UTC).toString());
    } else if (value instanceof LocalDate date) {
      quote(json, date.toString());
    } else if (value instanceof Row row) {
      json.append('[');
      for (int i = 0; i < row.getArity(); i++) {
        if (i > 0) json.append(',');
        value(json, row.getField(i));
      }
      json.append(']');
    } else if (value instanceof Map<?, ?> map) {
      json.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!first) json.append(',');
        first = false;
        quote(json, String.valueOf(entry.getKey()));
        json.append(':');
        value(json, entry.getValue());
      }
      json.append('}');
    } else if (value instanceof Object[] array) {
      json.append('[');
      for (int i = 0; i < array.length; i++) {
        if (i > 0) json.append(',');
        value(json, array[i]);
      }
      json.append(']');
    } else if (value instanceof byte[] bytes) {
      quote(json, new String(bytes, StandardCharsets.UTF_8));
    } else {
      quote(json, value.toString());
    }
  }

  private static void quote(StringBuilder json, String text) {
    json.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20) json.append(String.format("\\u%04x", (int) c));
          else json.append(c);
        }
      }
    }
    json.append('"');
  }

  /**
   * Splits a file into statements at semicolons outside strings, quoted
   * identifiers and comments, after substituting ${NAME} variables. Each
   * statement keeps the line it starts on, for error messages.
   */
  static List<Statement> split(Path file, Map<String, String> vars) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    String name = file.toString();
    List<Statement> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int line = 1;
    int startLine = -1;
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
        while (i < n && text.charAt(i) != '\n') i++;
        continue;
      }
      if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
        int end = text.indexOf("*/", i + 2);
        int stop = end < 0 ? n : end + 2;
        for (int k = i; k < stop; k++) if (text.charAt(k) == '\n') line++;
        // Hints (/*+ OPTIONS(...) */) are part of the statement; other comments are not.
        if (text.startsWith("/*+", i)) current.append(text, i, stop);
        else current.append(' ');
        i = stop;
        continue;
      }
      if (c == '\'' || c == '`' || c == '"') {
        int start = i;
        i++;
        while (i < n) {
          char d = text.charAt(i);
          if (d == c) {
            if (i + 1 < n && text.charAt(i + 1) == c) {
              i += 2;
              continue;
            }
            break;
          }
          i++;
        }
        i = Math.min(i + 1, n);
        String quoted = text.substring(start, i);
        for (int k = 0; k < quoted.length(); k++) if (quoted.charAt(k) == '\n') line++;
        if (startLine < 0) startLine = line;
        current.append(quoted);
        continue;
      }
      if (c == ';' && !insideStatementSet(current)) {
        addStatement(statements, name, startLine, current, vars);
        current.setLength(0);
        startLine = -1;
        i++;
        continue;
      }
      if (c == '\n') line++;
      if (!Character.isWhitespace(c) && startLine < 0) startLine = line;
      current.append(c);
      i++;
    }
    addStatement(statements, name, startLine, current, vars);
    return statements;
  }

  private static final Pattern STATEMENT_SET_START =
      Pattern.compile("(?is)^(EXECUTE\\s+)?(STATEMENT\\s+SET\\s+)?BEGIN\\s+STATEMENT\\s+SET\\b.*|^EXECUTE\\s+STATEMENT\\s+SET\\b.*");
  // The set's END follows the semicolon of its last INSERT; an INSERT ending in CASE ... END does not end it.
  private static final Pattern STATEMENT_SET_END = Pattern.compile("(?is).*;\\s*END\\s*$");

  /** A statement set's INSERTs end with semicolons that do not end the set; its END does. */
  private static boolean insideStatementSet(StringBuilder current) {
    String text = current.toString().trim();
    return STATEMENT_SET_START.matcher(text).matches() && !STATEMENT_SET_END.matcher(text).matches();
  }

  private static void addStatement(List<Statement> statements, String file, int line, StringBuilder text,
      Map<String, String> vars) {
    String sql = text.toString().trim();
    if (sql.isEmpty()) return;
    Matcher m = VARIABLE.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = vars.get(m.group(1));
      if (value == null) {
        fail(new Statement(file, line, sql), "variable ${" + m.group(1) + "} is not set; pass --var "
            + m.group(1) + "=...");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    statements.add(new Statement(file, line, out.toString()));
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    StringBuilder chain = new StringBuilder(String.valueOf(e.getMessage()));
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
      if (root.getMessage() != null && !chain.toString().contains(root.getMessage())) {
        chain.append(" <- ").append(root.getMessage());
      }
    }
    return chain.toString().replaceAll("\\s+", " ");
  }

  private static void status(String message) {
    System.err.println("lakehouse: " + message);
  }

  private static void fail(String message) {
    System.err.println("lakehouse: " + message);
    Runtime.getRuntime().halt(2);
  }

  private static void fail(Statement statement, String message) {
    String first = statement.text().split("\n", 2)[0];
    System.err.println("lakehouse: " + statement.where() + ": statement failed: " + message + "\n  in: " + first);
    System.err.flush();
    // halt, not exit: the mini-cluster's shutdown hooks would wait for its jobs.
    Runtime.getRuntime().halt(1);
  }
}
