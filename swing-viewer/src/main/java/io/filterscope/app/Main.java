package io.filterscope.app;

import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.Names;
import io.filterscope.spi.ModelBackend;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.CharBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code filterscope} command line.
 *
 * <p>Exit codes: 0 success; 2 a problem with what was given (a file, a name, an option), told in one
 * line on stderr; 1 an internal error. {@code --verbose} adds stack traces.
 */
@Command(name = "filterscope", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "See what a convolutional neural network has learned: filters, feature maps, predictions.",
        subcommands = {ViewCommand.class, InfoCommand.class, FiltersCommand.class, ActivationsCommand.class, PredictCommand.class,
            ExplainCommand.class, VisualizeCommand.class, ExamplesCommand.class, StatsCommand.class, DiffCommand.class, ReportCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Without a command, the viewer window opens (`filterscope view`).",
            "Without MODEL, commands use the bundled Fashion-MNIST model, its labels and a sample image.",
            "Exit codes: 0 done, 2 bad input or option (one line on stderr), 1 internal error."})
public final class Main implements Callable<Integer> {
    /** A problem with what the user gave. */
    public static final int EXIT_USAGE = 2;
    /** A bug or an unexpected failure. */
    public static final int EXIT_INTERNAL = 1;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // No command: the viewer window on the bundled model, as `filterscope view`.
        return spec.commandLine().getSubcommands().get("view").execute();
    }

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--verbose") || Arrays.asList(args).contains("-v")) {
            // slf4j-simple reads this once, when the first logger is made; system properties beat simplelogger.properties.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        }
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /** Runs the command line in process and returns its exit code; tests call this. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = commandLine(out, err);
        try {
            return cl.execute(args);
        } catch (Error e) {
            // picocli passes Errors on (a native library that does not load, a class missing from a broken jar).
            PrintWriter w = cl.getErr();
            boolean verbose = Arrays.asList(args).contains("--verbose") || Arrays.asList(args).contains("-v");
            w.println("internal error: " + oneLine(describe(e)) + (verbose ? "" : " (run with --verbose for details)"));
            if (verbose) {
                e.printStackTrace(w);
            }
            w.flush();
            return EXIT_INTERNAL;
        }
    }

    /** The configured command line, writing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(writer(out));
        cl.setErr(writer(err));
        cl.setParameterExceptionHandler(PARAMETER_ERRORS);
        cl.setExecutionExceptionHandler(EXECUTION_ERRORS);
        cl.setExitCodeExceptionMapper(t -> t instanceof FilterScopeException ? EXIT_USAGE : EXIT_INTERNAL);
        return cl;
    }

    /** A writer that hands characters to {@code s}, so they are encoded with the stream's own charset. */
    private static PrintWriter writer(PrintStream s) {
        return new PrintWriter(new Writer() {
            @Override
            public void write(char[] buf, int off, int len) {
                s.append(CharBuffer.wrap(buf, off, len));
            }

            @Override
            public void flush() {
                s.flush();
            }

            @Override
            public void close() {
                s.flush();
            }
        }, true);
    }

    /** Bad options or arguments: one line with a hint, exit 2. */
    private static final IParameterExceptionHandler PARAMETER_ERRORS = (ParameterException ex, String[] args) -> {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        String unknown = unknownCommand(ex);
        err.println(unknown != null ? unknown
                : oneLine(ex.getMessage()) + " (see `" + cmd.getCommandSpec().qualifiedName() + " --help`)");
        if (isVerbose(cmd)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return EXIT_USAGE;
    };

    /** Failures while running: the message alone for user problems (exit 2), "internal error" otherwise (exit 1). */
    private static final IExecutionExceptionHandler EXECUTION_ERRORS = (Exception ex, CommandLine cmd, ParseResult parsed) -> {
        PrintWriter err = cmd.getErr();
        boolean verbose = isVerbose(cmd);
        int code;
        if (ex instanceof FilterScopeException) {
            err.println(oneLine(ex.getMessage()));
            code = EXIT_USAGE;
        } else {
            err.println("internal error: " + oneLine(describe(ex)) + (verbose ? "" : " (run with --verbose for details)"));
            code = EXIT_INTERNAL;
        }
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code;
    };

    /**
     * "unknown command 'activatons'; did you mean 'activations'?" when the first word after
     * {@code filterscope} is neither a command nor an option, else null. picocli would say
     * "Unmatched arguments from index 0", which does not tell a typo from a misplaced argument.
     */
    static String unknownCommand(ParameterException ex) {
        if (!(ex instanceof UnmatchedArgumentException u) || ex.getCommandLine().getParent() != null
                || !(ex.getCommandLine().getCommand() instanceof Main)) {
            return null;
        }
        List<String> unmatched = u.getUnmatched();
        if (unmatched.isEmpty() || unmatched.get(0).startsWith("-")) {
            return null;
        }
        String word = unmatched.get(0);
        List<String> commands = ex.getCommandLine().getSubcommands().keySet().stream()
                .filter(c -> !c.equals("help")).toList();
        List<String> close = Names.closest(commands, word, 2);
        return "unknown command '" + word + "'; "
                + (close.isEmpty() ? "the commands are " + String.join(", ", commands)
                        : "did you mean " + close.stream().map(c -> "'" + c + "'").collect(Collectors.joining(" or ")) + "?")
                + " (see `filterscope --help`)";
    }

    private static boolean isVerbose(CommandLine cmd) {
        return cmd.getCommand() instanceof ModelCommand mc && mc.verbose();
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "failed without a message";
        }
        return Arrays.stream(message.strip().split("\\R+")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.joining("; "));
    }

    /** The version, from the build, with the installed backends. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = "unknown";
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    version = p.getProperty("version", version);
                }
            } catch (java.io.IOException ignored) {
                // keep "unknown"
            }
            String backends;
            try {
                List<ModelBackend> all = FilterScope.backends();
                backends = all.isEmpty() ? "none" : all.stream().map(ModelBackend::id).collect(Collectors.joining(", "));
            } catch (RuntimeException | java.util.ServiceConfigurationError e) {
                backends = "unavailable (" + e.getMessage() + ")";
            }
            return new String[] {
                "filterscope " + version,
                "backends: " + backends,
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
