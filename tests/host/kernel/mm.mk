# Host unit tests of the memory allocators (kernel/mm/pmm.c, kernel/mm/heap.c).
HOST_TESTS += pmm heap
pmm_SRCS := kernel/mm/pmm.c
heap_SRCS := kernel/mm/heap.c
