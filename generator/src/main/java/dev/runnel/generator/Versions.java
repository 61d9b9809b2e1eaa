package dev.runnel.generator;

/**
 * An inclusive range of versions as the specs write it: {@code "3"}, {@code "1-4"}, {@code "2+"} or
 * {@code "none"}.
 */
public record Versions(short lowest, short highest) {
    public static final Versions NONE = new Versions((short) 1, (short) 0);
    public static final Versions ALL = new Versions((short) 0, Short.MAX_VALUE);

    public static Versions parse(String text, Versions absent) {
        if (text == null) {
            return absent;
        }
        text = text.trim();
        if (text.equals("none")) {
            return NONE;
        }
        if (text.endsWith("+")) {
            return new Versions(Short.parseShort(text.substring(0, text.length() - 1)), Short.MAX_VALUE);
        }
        int dash = text.indexOf('-');
        if (dash > 0) {
            return new Versions(Short.parseShort(text.substring(0, dash)), Short.parseShort(text.substring(dash + 1)));
        }
        short v = Short.parseShort(text);
        return new Versions(v, v);
    }

    public boolean isEmpty() {
        return lowest > highest;
    }

    public boolean contains(int version) {
        return version >= lowest && version <= highest;
    }

    public Versions intersect(Versions other) {
        short lo = (short) Math.max(lowest, other.lowest);
        short hi = (short) Math.min(highest, other.highest);
        return lo > hi ? NONE : new Versions(lo, hi);
    }

    /** True when every version in {@code within} is in this range. */
    public boolean containsAll(Versions within) {
        return within.isEmpty() || (lowest <= within.lowest && highest >= within.highest);
    }

    @Override
    public String toString() {
        if (isEmpty()) {
            return "none";
        }
        if (highest == Short.MAX_VALUE) {
            return lowest + "+";
        }
        return lowest == highest ? Short.toString(lowest) : lowest + "-" + highest;
    }
}
