package dev.runnel.generator;

/** Java source text with indentation. */
final class CodeBuffer {
    private final StringBuilder text = new StringBuilder();
    private int indent;

    CodeBuffer line(String line) {
        if (line.isEmpty()) {
            text.append('\n');
            return this;
        }
        text.append("    ".repeat(indent)).append(line).append('\n');
        return this;
    }

    /** Opens a block: writes the line and indents what follows. */
    CodeBuffer open(String line) {
        line(line);
        indent++;
        return this;
    }

    /** Closes a block, writing {@code line} (usually "}") one level out. */
    CodeBuffer close(String line) {
        indent--;
        return line(line);
    }

    /** Writes a line one level out and stays at the current level: {@code "} else {"}. */
    CodeBuffer between(String line) {
        indent--;
        line(line);
        indent++;
        return this;
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
