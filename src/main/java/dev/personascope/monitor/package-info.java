/**
 * The persona monitor: projections of the residual stream on persona directions during training, bands,
 * alarms and its log. Uses persona, eval, train, optim, dashboard, data, model and util.
 */
package dev.personascope.monitor;
