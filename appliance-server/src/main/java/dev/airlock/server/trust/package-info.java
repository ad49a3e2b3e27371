/**
 * The operator's view of the vault's trust store in the server: list, add a public key, revoke one
 * (flagging the models it vouched for), each change recorded in the audit log before it is made.
 */
package dev.airlock.server.trust;
