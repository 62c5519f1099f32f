"""The hub: normalized, native and virtual resources over one instance's Autotask database.

HTTP-free. `connector.api.hubs` parses requests and renders answers; this package resolves the
resource, pushes CEQL down, pages, caches, and converts records through the maps.
"""
