"""The public JSON API under /api/v1, documented by an OpenAPI document made from its schemas."""
