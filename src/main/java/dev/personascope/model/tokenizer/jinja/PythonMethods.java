package dev.personascope.model.tokenizer.jinja;

import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Python's str and dict methods that chat templates call ({@code content.strip()}, {@code role.title()},
 * {@code message.get('tool_calls', [])}, ...), resolved before Jinjava's own resolver. Methods that
 * mutate a list or dict fail as in transformers' immutable sandbox.
 */
public final class PythonMethods extends ELResolver {
    private static final Object UNHANDLED = new Object();
    private static final Set<String> MUTATORS = Set.of("append", "insert", "extend", "pop", "remove", "clear", "reverse",
            "sort", "update", "setdefault", "popitem", "put", "putAll");

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base instanceof Undefined u) {
            throw u.error();
        }
        if (base == null || method == null) {
            return null;
        }
        String name = method.toString();
        Object[] args = params == null ? new Object[0] : params;
        Object result = UNHANDLED;
        if (base instanceof String s) {
            result = str(s, name, args);
        } else if (base instanceof Map<?, ?> m) {
            if (MUTATORS.contains(name)) {
                throw unsafe(name, "dict");
            }
            result = dict(m, name, args);
        } else if (base instanceof List<?> && MUTATORS.contains(name)) {
            throw unsafe(name, "list");
        }
        if (result == UNHANDLED) {
            return null;
        }
        context.setPropertyResolved(true);
        return result;
    }

    private static TemplateRuntimeError unsafe(String name, String type) {
        return new TemplateRuntimeError("SecurityError: access to attribute '" + name + "' of '" + type + "' object is unsafe.");
    }

    private static Object dict(Map<?, ?> m, String name, Object[] a) {
        return switch (name) {
            case "get" -> a.length == 0 ? UNHANDLED : m.containsKey(key(a[0])) ? m.get(key(a[0])) : a.length > 1 ? a[1] : null;
            default -> UNHANDLED;
        };
    }

    private static Object key(Object k) {
        return k instanceof Number || k instanceof Boolean ? String.valueOf(k) : k;
    }

    private static Object str(String s, String name, Object[] a) {
        return switch (name) {
            case "strip" -> strip(s, a.length > 0 ? chars(a[0]) : null, true, true);
            case "lstrip" -> strip(s, a.length > 0 ? chars(a[0]) : null, true, false);
            case "rstrip" -> strip(s, a.length > 0 ? chars(a[0]) : null, false, true);
            case "startswith" -> affix(s, a, true);
            case "endswith" -> affix(s, a, false);
            case "split" -> split(s, a.length > 0 ? (String) a[0] : null, a.length > 1 ? ((Number) a[1]).intValue() : -1);
            case "rsplit" -> rsplit(s, a.length > 0 ? (String) a[0] : null, a.length > 1 ? ((Number) a[1]).intValue() : -1);
            case "splitlines" -> splitlines(s);
            case "title" -> title(s);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "replace" -> a.length > 2 ? replaceCount(s, str(a[0]), str(a[1]), ((Number) a[2]).intValue()) : s.replace(str(a[0]), str(a[1]));
            case "find" -> (long) s.indexOf(str(a[0]));
            case "rfind" -> (long) s.lastIndexOf(str(a[0]));
            case "count" -> count(s, str(a[0]));
            case "join" -> join(s, a[0]);
            case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
            case "isspace" -> !s.isEmpty() && s.chars().allMatch(PythonMethods::isSpace);
            case "removeprefix" -> s.startsWith(str(a[0])) ? s.substring(str(a[0]).length()) : s;
            case "removesuffix" -> s.endsWith(str(a[0])) && !str(a[0]).isEmpty() ? s.substring(0, s.length() - str(a[0]).length()) : s;
            default -> UNHANDLED;
        };
    }

    private static String str(Object o) {
        return String.valueOf(o);
    }

    private static String chars(Object o) {
        return o == null || o instanceof PyNone ? null : o.toString();
    }

    /** Python's str.isspace for one character. */
    static boolean isSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85 || (c >= 0x1c && c <= 0x1f);
    }

    static String strip(String s, String chars, boolean left, boolean right) {
        int from = 0;
        int to = s.length();
        while (left && from < to && (chars == null ? isSpace(s.charAt(from)) : chars.indexOf(s.charAt(from)) >= 0)) {
            from++;
        }
        while (right && to > from && (chars == null ? isSpace(s.charAt(to - 1)) : chars.indexOf(s.charAt(to - 1)) >= 0)) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean affix(String s, Object[] a, boolean start) {
        Collection<?> options = a[0] instanceof Collection<?> c ? c : List.of(a[0]);
        for (Object o : options) {
            if (start ? s.startsWith(str(o)) : s.endsWith(str(o))) {
                return true;
            }
        }
        return false;
    }

    static List<Object> split(String s, String sep, int max) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isSpace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                if (max >= 0 && out.size() == max) {
                    out.add(strip(s.substring(i), null, false, true));
                    break;
                }
                int j = i;
                while (j < n && !isSpace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new TemplateRuntimeError("ValueError: empty separator");
        }
        int i = 0;
        while (max < 0 || out.size() < max) {
            int j = s.indexOf(sep, i);
            if (j < 0) {
                break;
            }
            out.add(s.substring(i, j));
            i = j + sep.length();
        }
        out.add(s.substring(i));
        return out;
    }

    private static List<Object> rsplit(String s, String sep, int max) {
        if (max < 0 || sep == null) {
            return split(s, sep, max);
        }
        List<Object> out = new ArrayList<>();
        int end = s.length();
        while (out.size() < max) {
            int j = s.lastIndexOf(sep, end - sep.length());
            if (j < 0) {
                break;
            }
            out.add(0, s.substring(j + sep.length(), end));
            end = j;
        }
        out.add(0, s.substring(0, end));
        return out;
    }

    /** Python's str.splitlines: lines without their ends, no empty last line. */
    private static List<Object> splitlines(String s) {
        List<Object> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e || c == 0x85
                    || c == 0x2028 || c == 0x2029) {
                out.add(s.substring(start, i));
                if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }

    /** Python's str.title: a letter after a non-letter is upper-cased, every other letter lower-cased. */
    static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean prevCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            prevCased = Character.isLetter(c);
        }
        return out.toString();
    }

    private static String replaceCount(String s, String from, String to, int count) {
        if (count < 0) {
            return s.replace(from, to);
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        for (int n = 0; n < count; n++) {
            int j = s.indexOf(from, i);
            if (j < 0) {
                break;
            }
            out.append(s, i, j).append(to);
            i = j + from.length();
        }
        return out.append(s.substring(i)).toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1;
        }
        long n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
            n++;
        }
        return n;
    }

    private static String join(String sep, Object items) {
        Iterable<?> it = items instanceof Iterable<?> i ? i : List.of(items);
        StringBuilder out = new StringBuilder();
        Iterator<?> iter = it.iterator();
        while (iter.hasNext()) {
            out.append(iter.next());
            if (iter.hasNext()) {
                out.append(sep);
            }
        }
        return out.toString();
    }

    /**
     * Item and attribute access as Jinja does it: on an Undefined it raises; a missing key or an index past
     * the end gives an Undefined (Jinjava would give null, which prints the same but is {@code none}).
     */
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        if (base instanceof Undefined u) {
            throw u.error();
        }
        if (base instanceof List<?> list && property instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            long i = n.longValue();
            if (i >= list.size() || i < -list.size()) {
                context.setPropertyResolved(true);
                return new Undefined("list object has no element " + i);
            }
        }
        if (base instanceof Map<?, ?> map && property instanceof String key && !map.containsKey(key) && !isDictMethod(key)) {
            context.setPropertyResolved(true);
            return new Undefined("'dict object' has no attribute '" + key + "'");
        }
        return null;
    }

    private static boolean isDictMethod(String name) {
        return Set.of("items", "keys", "values", "get", "update", "copy", "pop", "toMap").contains(name);
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
