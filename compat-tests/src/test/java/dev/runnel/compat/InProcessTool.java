package dev.runnel.compat;

import org.apache.kafka.common.utils.Exit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;

/**
 * Runs one of Kafka's command-line tools by calling its {@code main} in this JVM, capturing what it prints.
 * Same tool code as {@link KafkaTool}, without a JVM start per call (seconds each on a loaded 2-core machine),
 * for tests that call a tool many times. {@code Exit.exit} is turned into the result's exit code instead of
 * ending the JVM. Calls are serialised because System.out and System.err are swapped for the duration.
 */
final class InProcessTool {
    private InProcessTool() {
    }

    private static final class ExitCalled extends RuntimeException {
        final int code;

        ExitCalled(int code) {
            super(null, null, false, false);
            this.code = code;
        }
    }

    static synchronized KafkaTool.Result run(String mainClass, String... args) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int exitCode = 0;
        Exit.setExitProcedure((code, message) -> {
            throw new ExitCalled(code);
        });
        try (PrintStream capturedOut = new PrintStream(stdout, true, StandardCharsets.UTF_8);
             PrintStream capturedErr = new PrintStream(stderr, true, StandardCharsets.UTF_8)) {
            System.setOut(capturedOut);
            System.setErr(capturedErr);
            Class.forName(mainClass).getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof ExitCalled exit) {
                exitCode = exit.code;
            } else {
                throw e;
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
            Exit.resetExitProcedure();
        }
        return new KafkaTool.Result(exitCode, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    }
}
