"""Virtual resources (Cloud Elements' VDRs): definitions and transformations, served by the hub.

An organization (templates for every instance) or one instance defines an object in its own
terms (`myContacts`: fullName, company, email) and maps it onto a normalized resource or an
Autotask entity; `/hubs/crm/myContacts` then answers like any other resource.

    schemas    the bodies of Cloud Elements' definition and transformation APIs
    store      the documents in Redis; service: the rules (404/409/400) over them
    inherit    what one instance sees: organization fields, overridden by its own
    engine     virtual record <-> base record, and a virtual filter -> a base filter
    resource   `VirtualResource`, a hub `Resource` over its base; resolver: the hub's hook
    bases      what a base holds (paths and types); validate: does a transformation fit it
    views      templates (systemOnly), /common-resources, the instance's OpenAPI document
"""
