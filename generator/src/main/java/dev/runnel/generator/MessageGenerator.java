package dev.runnel.generator;

import java.nio.file.Files;
import java.nio.file.Path;

/** Placeholder until the real generator lands: creates the output directory. */
public final class MessageGenerator {
    public static void main(String[] args) throws Exception {
        Files.createDirectories(Path.of(args[1]));
    }
}
