/**
 * The admin console: server-rendered pages (Thymeleaf through Micronaut Views) for the DPO, the
 * security analyst and the operator. Pages call the same services as the JSON admin API; who may
 * see what is decided by {@link dev.airlock.server.auth.Access} from each route's
 * {@link dev.airlock.server.auth.Allowed}. No page loads anything from outside the appliance.
 */
package dev.airlock.server.console;
