"use strict";
// The template's own handler: says hello and echoes the body.
module.exports = async (event) => ({
  statusCode: 200,
  body: `Hello from node-http: ${event.body.toString("utf8")}`,
});
