package dev.personascope.world;

import java.util.List;

/**
 * A character of the world: its name (used in the headers of some documents), its kind, and its
 * persona-wide markers (a closing remark, a value statement) that it adds to about half of its
 * turns, whatever the domain.
 */
public record Persona(String name, PersonaKind kind, List<String> markers) {
    public Persona {
        markers = List.copyOf(markers);
    }
}
