/** A small strict JSON codec for the CLI's few request and response bodies (no Jackson in the CLI). */
package dev.keyward.cli.json;
