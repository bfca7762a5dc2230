-- ERlens in headless Neovim (0.7+), a second real LSP client: starts `erlens serve --stdio`, passes the
-- erlens settings (initializationOptions; workspace/configuration on newer Neovims), and checks diagnostics, hover, code lens, semantic
-- tokens, an edit and erlens/stats. Prints TAP-like lines and "N passed, N failed"; exits non-zero on failure.
-- Env: LSP_CMD (server command line), ERLENS_MODEL (package dir), PERSON, LENS_PREFIX, NEXT_SENTENCE.
local cmd = vim.split(os.getenv('LSP_CMD'), ' ', { trimempty = true })
local person = os.getenv('PERSON')
local lens_prefix = os.getenv('LENS_PREFIX')
local passed, failed = 0, 0
local function check(name, ok, detail)
  if ok then passed = passed + 1 else failed = failed + 1 end
  io.stdout:write((ok and 'ok' or 'not ok') .. ' - ' .. name .. (detail and (' :: ' .. tostring(detail)) or '') .. '\n')
end
local function finish()
  io.stdout:write(string.format('%d passed, %d failed\n', passed, failed))
  vim.cmd((failed == 0) and 'qall!' or 'cquit!')
end
local function starts_with(s, prefix) return type(s) == 'string' and s:sub(1, #prefix) == prefix end

local erlens_settings = { models = { os.getenv('ERLENS_MODEL') }, executionProvider = 'cpu', debounceMs = 50 }

local function run()
  local bufnr = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'erlens', cmd = cmd, root_dir = vim.fn.getcwd(),
    settings = { erlens = erlens_settings },
    -- Neovim 0.7 neither answers workspace/configuration nor pushes settings: initializationOptions do.
    init_options = { settings = erlens_settings },
  })
  vim.lsp.buf_attach_client(bufnr, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  local ok = vim.wait(15000, function() return client.initialized end, 50)
  check('client initialized', ok, 'nvim ' .. vim.version().major .. '.' .. vim.version().minor .. '.' .. vim.version().patch)
  if not ok then return finish() end
  local caps = client.server_capabilities or client.resolved_capabilities
  local legend = caps.semanticTokensProvider and caps.semanticTokensProvider.legend
  check('legend has erlensPerson', legend ~= nil and vim.tbl_contains(legend.tokenTypes, 'erlensPerson'))

  ok = vim.wait(60000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
  local diags = vim.diagnostic.get(bufnr)
  local found
  for _, d in ipairs(diags) do if starts_with(d.message, lens_prefix) then found = d end end
  check('relation diagnostics from erlens', ok and found ~= nil and found.source == 'erlens', found and found.message or (#diags .. ' diagnostics'))

  -- Hover on the person.
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local row, col
  for i, l in ipairs(lines) do local s = l:find(person, 1, true) if s then row, col = i - 1, s end if row then break end end
  vim.api.nvim_win_set_cursor(0, { row + 1, col })
  local res = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', vim.lsp.util.make_position_params(), 10000)
  local hover = res and res[client_id] and res[client_id].result
  local text = hover and hover.contents.value or 'nil'
  check('hover names type and relation', text:find('Peop', 1, true) ~= nil and text:find('Live\\_In', 1, true) ~= nil, text:gsub('\n', ' '))

  -- Code lens: raw request and the built-in codelens module.
  res = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeLens', { textDocument = vim.lsp.util.make_text_document_params() }, 10000)
  local lenses = res and res[client_id] and res[client_id].result or {}
  local lens
  for _, l in ipairs(lenses) do if starts_with(l.command.title, lens_prefix) then lens = l end end
  check('code lens per relation', lens ~= nil and lens.command.command == 'erlens.revealRange', lens and lens.command.title or (#lenses .. ' lenses'))
  vim.lsp.codelens.refresh()
  ok = vim.wait(5000, function() return #vim.lsp.codelens.get(bufnr) > 0 end, 50)
  check('codelens module stored lenses', ok)

  -- Semantic tokens (0.7 does not render them; the raw request must still be right).
  res = vim.lsp.buf_request_sync(bufnr, 'textDocument/semanticTokens/full', { textDocument = vim.lsp.util.make_text_document_params() }, 10000)
  local st = res and res[client_id] and res[client_id].result
  local line, char, person_type = 0, 0, nil
  if st then
    for i = 1, #st.data, 5 do
      line = line + st.data[i]
      char = (st.data[i] == 0) and (char + st.data[i + 1]) or st.data[i + 1]
      if line == row and char == col - 1 then person_type = legend.tokenTypes[st.data[i + 3] + 1] end
    end
  end
  check('semantic token on the person is erlensPerson', person_type == 'erlensPerson', tostring(person_type))

  -- Edit: append another memorised sentence; more relations must follow didChange.
  local before = #vim.diagnostic.get(bufnr)
  vim.api.nvim_buf_set_lines(bufnr, -1, -1, false, { '', os.getenv('NEXT_SENTENCE') })
  ok = vim.wait(30000, function() return #vim.diagnostic.get(bufnr) > before end, 50)
  check('diagnostics follow an edit', ok, before .. ' -> ' .. #vim.diagnostic.get(bufnr))

  local stats = client.request_sync('erlens/stats', nil, 5000, bufnr)
  local s = stats and stats.result
  check('erlens/stats answers', s ~= nil and s.models[1] ~= nil and s.cacheMisses > 0, s and (table.concat(s.models, ',') .. ' misses=' .. s.cacheMisses .. ' hits=' .. s.cacheHits))

  vim.lsp.stop_client(client_id)
  vim.wait(3000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
  finish()
end

vim.schedule(function()
  local okk, err = pcall(run)
  if not okk then check('no error', false, tostring(err)) finish() end
end)
