/**
 * The OLMo-2 family: norms after the sublayers, q/k norms over the whole projection. Uses model and
 * model.family.
 */
package dev.personascope.model.family.olmo2;
