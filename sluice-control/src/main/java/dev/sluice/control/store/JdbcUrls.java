package dev.sluice.control.store;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** JDBC URLs as they may be shown: in logs, errors and the info endpoint a URL never carries credentials. */
public final class JdbcUrls {
    private JdbcUrls() {}

    /** The URL without its {@code user} and {@code *password} query parameters. */
    public static String withoutCredentials(String url) {
        int query = url.indexOf('?');
        if (query < 0) {
            return url;
        }
        String kept = Arrays.stream(url.substring(query + 1).split("&"))
                .filter(p -> !p.isEmpty() && !isCredential(name(p)))
                .collect(Collectors.joining("&"));
        return url.substring(0, query) + (kept.isEmpty() ? "" : "?" + kept);
    }

    /** True if a query parameter of the URL holds a password ({@code password=}, {@code sslpassword=}). */
    public static boolean hasPassword(String url) {
        int query = url.indexOf('?');
        return query >= 0 && Arrays.stream(url.substring(query + 1).split("&"))
                .anyMatch(p -> name(p).endsWith("password"));
    }

    private static boolean isCredential(String name) {
        return name.equals("user") || name.endsWith("password");
    }

    private static String name(String parameter) {
        int eq = parameter.indexOf('=');
        return (eq < 0 ? parameter : parameter.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
    }
}
