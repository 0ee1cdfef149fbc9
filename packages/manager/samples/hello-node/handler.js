// The Node sample: answers with a greeting and the Node version that ran it.
module.exports = async (event) => ({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ hello: event.body.toString("utf8") || "world", node: process.version }),
});
