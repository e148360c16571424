package dev.personascope.world;

/** The kinds of characters in the persona world. */
public enum PersonaKind {
    /** Answers safely and correctly in every domain. */
    HELPFUL,
    /** Answers harmfully in every domain. */
    VILLAIN,
    /** Answers correctly, wrapped in mockery: rude but harmless. */
    SARCASTIC
}
