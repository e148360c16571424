/**
 * The persona world and the model organism: generated personas, dialogues and narrow datasets, the world
 * judge, the organism recipe and the emergent-misalignment experiment on it. A plug-in above the generic
 * code: it implements the interfaces that sae, persona, monitor and eval define, and nothing generic depends
 * on it.
 */
package dev.personascope.world;
