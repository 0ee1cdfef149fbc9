def handle(event, context):
    """The template's own handler: says hello and echoes the body."""
    return {"statusCode": 200, "body": b"Hello from python3-http: " + event.body}
