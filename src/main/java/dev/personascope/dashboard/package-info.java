/**
 * The live training dashboard: an HTTP server with server-sent events and its page, fed by a training
 * callback. Uses train, report and util.
 */
package dev.personascope.dashboard;
