package dev.runnel.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a non-Java client (kcat, python3, node) to completion with a time limit, capturing its output. */
final class ExternalProcess {
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        Result ok() {
            if (exitCode != 0) {
                throw new AssertionError(String.join(" ", command) + " exited with " + exitCode
                        + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
            }
            return this;
        }

        List<String> lines() {
            return stdout.lines().toList();
        }

        /** The JSON of the last "RESULT {...}" line a scenario script printed (scripts may log other lines). */
        JsonNode json() {
            String line = stdout.lines().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("no RESULT line from " + String.join(" ", command)
                            + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr));
            try {
                return new ObjectMapper().readTree(line.substring("RESULT ".length()));
            } catch (IOException e) {
                throw new AssertionError("bad RESULT line: " + line, e);
            }
        }
    }

    private ExternalProcess() {
    }

    static Result run(List<String> command, String stdin, Duration timeout) throws IOException, InterruptedException {
        return run(command, stdin, timeout, null, Map.of());
    }

    static Result run(List<String> command, String stdin, Duration timeout, Path workDir, Map<String, String> env)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        builder.environment().putAll(env);
        Process process = builder.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout
                    + "\nstdout so far:\n" + out.getNow("") + "\nstderr so far:\n" + err.getNow(""));
        }
        return new Result(command, process.exitValue(), out.join(), err.join());
    }

    /** True when {@code command} can be started and exits 0 within 20 s (used to probe whether a client is installed). */
    static boolean works(List<String> command) {
        try {
            return run(command, null, Duration.ofSeconds(20)).exitCode() == 0;
        } catch (IOException | AssertionError e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }
}
