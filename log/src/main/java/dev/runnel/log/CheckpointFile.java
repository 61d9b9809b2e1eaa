package dev.runnel.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Kafka's text checkpoint format, shared by {@code leader-epoch-checkpoint}, {@code recovery-point-offset-checkpoint}
 * and {@code log-start-offset-checkpoint}. UTF-8, each line ended by '\n':
 *
 * <pre>
 * 0                  version (always 0)
 * 2                  number of entry lines that follow
 * my-topic 0 1234    one entry per line, fields separated by a space
 * my-topic 1 99
 * </pre>
 *
 * Written atomically (temporary file, fsync, rename), so a crash leaves the old or the new file, never a mix.
 * Readers split entries on any whitespace, as Kafka does. Stateless; callers serialise writes to one file.
 */
final class CheckpointFile {
    static final int VERSION = 0;

    private CheckpointFile() {
    }

    static void write(Path file, List<String> entries) throws IOException {
        StringBuilder text = new StringBuilder().append(VERSION).append('\n').append(entries.size()).append('\n');
        for (String entry : entries) {
            text.append(entry).append('\n');
        }
        LogFiles.writeAtomically(file, text.toString());
    }

    /**
     * Reads the entries split into fields, each of {@code fieldsPerEntry} fields. A missing or empty file has no
     * entries.
     *
     * @throws IOException when the file is malformed: bad version, count mismatch, wrong field count
     */
    static List<String[]> read(Path file, int fieldsPerEntry) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        if (lines.isEmpty()) {
            return List.of();
        }
        try {
            int version = Integer.parseInt(lines.get(0).trim());
            if (version != VERSION) {
                throw new IOException("unrecognised checkpoint version " + version + " in " + file);
            }
            if (lines.size() < 2) {
                return List.of();
            }
            int count = Integer.parseInt(lines.get(1).trim());
            List<String[]> entries = new ArrayList<>(count);
            for (String line : lines.subList(2, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length != fieldsPerEntry) {
                    throw new IOException("malformed line in checkpoint file " + file + ": " + line);
                }
                entries.add(fields);
            }
            if (entries.size() != count) {
                throw new IOException("expected " + count + " entries in checkpoint file " + file + " but found " + entries.size());
            }
            return entries;
        } catch (NumberFormatException e) {
            throw new IOException("malformed checkpoint file " + file, e);
        }
    }
}
