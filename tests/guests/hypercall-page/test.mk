GUEST_TESTS += hypercall-page
hypercall-page_LIBS := hypercall_page
