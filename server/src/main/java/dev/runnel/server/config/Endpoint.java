package dev.runnel.server.config;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of {@code listeners} or {@code advertised.listeners}: {@code NAME://host:port}. As in Kafka the
 * listener name is case-insensitive (kept upper-case), an IPv6 host is written in brackets, an empty host means
 * every interface, and port 0 asks the operating system for a free port.
 *
 * @param listenerName upper-case listener name, such as {@code PLAINTEXT} or {@code INTERNAL}
 * @param host         host name or address, or the empty string for every interface
 * @param port         0 to 65535
 */
public record Endpoint(String listenerName, String host, int port) {
    // NAME://host:port, NAME://[ipv6]:port, NAME://:port
    private static final Pattern FORMAT = Pattern.compile("^(.*)://\\[?([0-9a-zA-Z\\-%._:]*)\\]?:(-?[0-9]+)$");

    /** The address to bind: the wildcard address when the host is empty. */
    public InetSocketAddress bindAddress() {
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    /** Whether the host is empty or a wildcard address, which clients cannot connect to. */
    public boolean wildcardHost() {
        return host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    public Endpoint withHostAndPort(String newHost, int newPort) {
        return new Endpoint(listenerName, newHost, newPort);
    }

    /** Formats back to the {@code listeners} syntax. */
    @Override
    public String toString() {
        String printedHost = host.contains(":") ? "[" + host + "]" : host;
        return listenerName + "://" + printedHost + ":" + port;
    }

    /**
     * Parses a listener list, rejecting bad syntax, ports out of range and repeated listener names.
     *
     * @throws ConfigException naming {@code key}
     */
    public static List<Endpoint> parseList(String key, List<String> entries) {
        List<Endpoint> endpoints = new ArrayList<>(entries.size());
        Set<String> names = new HashSet<>();
        for (String entry : entries) {
            Endpoint endpoint = parse(key, entry);
            if (!names.add(endpoint.listenerName())) {
                throw new ConfigException(key, String.join(",", entries),
                        "Each listener must have a different name; " + endpoint.listenerName() + " is repeated");
            }
            endpoints.add(endpoint);
        }
        return List.copyOf(endpoints);
    }

    static Endpoint parse(String key, String entry) {
        Matcher matcher = FORMAT.matcher(entry.trim());
        if (!matcher.matches()) {
            throw new ConfigException(key, entry, "Listener must be of the form NAME://host:port");
        }
        String name = matcher.group(1).toUpperCase(Locale.ROOT);
        if (name.isEmpty()) {
            throw new ConfigException(key, entry, "Listener name must not be empty");
        }
        int port;
        try {
            port = Integer.parseInt(matcher.group(3));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(key, entry, "Port must be between 0 and 65535");
        }
        return new Endpoint(name, matcher.group(2), port);
    }
}
