package dev.personascope.util;

/**
 * A message as one printable line: line breaks and other control characters that came from the input
 * (a JSON key with "\n" in it, a YAML id) are written as escapes, so an error stays one line.
 */
public final class OneLine {
    private OneLine() {
    }

    public static String of(String message) {
        if (message == null) {
            return "null";
        }
        StringBuilder sb = null;
        for (int i = 0; i < message.length(); i++) {
            char ch = message.charAt(i);
            String escape = switch (ch) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> null; // a tab stays on the line
                case '\u2028', '\u2029', '\u0085' -> String.format("\\u%04x", (int) ch);
                default -> Character.isISOControl(ch) ? String.format("\\u%04x", (int) ch) : null;
            };
            if (escape != null && sb == null) {
                sb = new StringBuilder(message.length() + 16).append(message, 0, i);
            }
            if (sb != null) {
                if (escape != null) {
                    sb.append(escape);
                } else {
                    sb.append(ch);
                }
            }
        }
        return sb == null ? message : sb.toString();
    }
}
