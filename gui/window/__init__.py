"""The main window's parts (:class:`gui.main_window.MainWindow` mixes them in).

``actions``: the actions and menus, View > Language; ``loading``: PyTorch imported in
the background; ``dialogs``: File > Open ..., Export, Import weights, the Help pages;
``drops``: drag and drop on the window; ``lifecycle``: settings and a close that never
waits for long.
"""
