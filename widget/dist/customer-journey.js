var Le=Object.defineProperty;var Ue=(o,e,t)=>e in o?Le(o,e,{enumerable:!0,configurable:!0,writable:!0,value:t}):o[e]=t;var K=(o,e,t)=>Ue(o,typeof e!="symbol"?e+"":e,t);var L=globalThis,U=L.ShadowRoot&&(L.ShadyCSS===void 0||L.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,W=Symbol(),ue=new WeakMap,C=class{constructor(e,t,s){if(this._$cssResult$=!0,s!==W)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(U&&e===void 0){let s=t!==void 0&&t.length===1;s&&(e=ue.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),s&&ue.set(t,e))}return e}toString(){return this.cssText}},fe=o=>new C(typeof o=="string"?o:o+"",void 0,W),J=(o,...e)=>{let t=o.length===1?o[0]:e.reduce((s,i,n)=>s+(a=>{if(a._$cssResult$===!0)return a.cssText;if(typeof a=="number")return a;throw Error("Value passed to 'css' function must be a 'css' function result: "+a+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+o[n+1],o[0]);return new C(t,o,W)},me=(o,e)=>{if(U)o.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let s=document.createElement("style"),i=L.litNonce;i!==void 0&&s.setAttribute("nonce",i),s.textContent=t.cssText,o.appendChild(s)}},Z=U?o=>o:o=>o instanceof CSSStyleSheet?(e=>{let t="";for(let s of e.cssRules)t+=s.cssText;return fe(t)})(o):o;var{is:De,defineProperty:Re,getOwnPropertyDescriptor:He,getOwnPropertyNames:Be,getOwnPropertySymbols:qe,getPrototypeOf:Ve}=Object,D=globalThis,ge=D.trustedTypes,Fe=ge?ge.emptyScript:"",Ke=D.reactiveElementPolyfillSupport,T=(o,e)=>o,G={toAttribute(o,e){switch(e){case Boolean:o=o?Fe:null;break;case Object:case Array:o=o==null?o:JSON.stringify(o)}return o},fromAttribute(o,e){let t=o;switch(e){case Boolean:t=o!==null;break;case Number:t=o===null?null:Number(o);break;case Object:case Array:try{t=JSON.parse(o)}catch{t=null}}return t}},_e=(o,e)=>!De(o,e),be={attribute:!0,type:String,converter:G,reflect:!1,useDefault:!1,hasChanged:_e};Symbol.metadata??=Symbol("metadata"),D.litPropertyMetadata??=new WeakMap;var b=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=be){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let s=Symbol(),i=this.getPropertyDescriptor(e,s,t);i!==void 0&&Re(this.prototype,e,i)}}static getPropertyDescriptor(e,t,s){let{get:i,set:n}=He(this.prototype,e)??{get(){return this[t]},set(a){this[t]=a}};return{get:i,set(a){let l=i?.call(this);n?.call(this,a),this.requestUpdate(e,l,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??be}static _$Ei(){if(this.hasOwnProperty(T("elementProperties")))return;let e=Ve(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(T("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(T("properties"))){let t=this.properties,s=[...Be(t),...qe(t)];for(let i of s)this.createProperty(i,t[i])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[s,i]of t)this.elementProperties.set(s,i)}this._$Eh=new Map;for(let[t,s]of this.elementProperties){let i=this._$Eu(t,s);i!==void 0&&this._$Eh.set(i,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let s=new Set(e.flat(1/0).reverse());for(let i of s)t.unshift(Z(i))}else e!==void 0&&t.push(Z(e));return t}static _$Eu(e,t){let s=t.attribute;return s===!1?void 0:typeof s=="string"?s:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let s of t.keys())this.hasOwnProperty(s)&&(e.set(s,this[s]),delete this[s]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return me(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,s){this._$AK(e,s)}_$ET(e,t){let s=this.constructor.elementProperties.get(e),i=this.constructor._$Eu(e,s);if(i!==void 0&&s.reflect===!0){let n=(s.converter?.toAttribute!==void 0?s.converter:G).toAttribute(t,s.type);this._$Em=e,n==null?this.removeAttribute(i):this.setAttribute(i,n),this._$Em=null}}_$AK(e,t){let s=this.constructor,i=s._$Eh.get(e);if(i!==void 0&&this._$Em!==i){let n=s.getPropertyOptions(i),a=typeof n.converter=="function"?{fromAttribute:n.converter}:n.converter?.fromAttribute!==void 0?n.converter:G;this._$Em=i;let l=a.fromAttribute(t,n.type);this[i]=l??this._$Ej?.get(i)??l,this._$Em=null}}requestUpdate(e,t,s,i=!1,n){if(e!==void 0){let a=this.constructor;if(i===!1&&(n=this[e]),s??=a.getPropertyOptions(e),!((s.hasChanged??_e)(n,t)||s.useDefault&&s.reflect&&n===this._$Ej?.get(e)&&!this.hasAttribute(a._$Eu(e,s))))return;this.C(e,t,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:s,reflect:i,wrapped:n},a){s&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,a??t??this[e]),n!==!0||a!==void 0)||(this._$AL.has(e)||(this.hasUpdated||s||(t=void 0),this._$AL.set(e,t)),i===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,n]of this._$Ep)this[i]=n;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[i,n]of s){let{wrapped:a}=n,l=this[i];a!==!0||this._$AL.has(i)||l===void 0||this.C(i,void 0,n,l)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(t)):this._$EM()}catch(s){throw e=!1,this._$EM(),s}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};b.elementStyles=[],b.shadowRootOptions={mode:"open"},b[T("elementProperties")]=new Map,b[T("finalized")]=new Map,Ke?.({ReactiveElement:b}),(D.reactiveElementVersions??=[]).push("2.1.2");var ie=globalThis,$e=o=>o,R=ie.trustedTypes,ye=R?R.createPolicy("lit-html",{createHTML:o=>o}):void 0,Se="$lit$",_=`lit$${Math.random().toFixed(9).slice(2)}$`,Ee="?"+_,We=`<${Ee}>`,k=document,P=()=>k.createComment(""),O=o=>o===null||typeof o!="object"&&typeof o!="function",oe=Array.isArray,Je=o=>oe(o)||typeof o?.[Symbol.iterator]=="function",Q=`[ 	
\f\r]`,N=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,ve=/-->/g,xe=/>/g,x=RegExp(`>|${Q}(?:([^\\s"'>=/]+)(${Q}*=${Q}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),we=/'/g,ke=/"/g,Me=/^(?:script|style|textarea|title)$/i,ne=o=>(e,...t)=>({_$litType$:o,strings:e,values:t}),r=ne(1),ae=ne(2),_t=ne(3),A=Symbol.for("lit-noChange"),c=Symbol.for("lit-nothing"),Ae=new WeakMap,w=k.createTreeWalker(k,129);function Ce(o,e){if(!oe(o)||!o.hasOwnProperty("raw"))throw Error("invalid template strings array");return ye!==void 0?ye.createHTML(e):e}var Ze=(o,e)=>{let t=o.length-1,s=[],i,n=e===2?"<svg>":e===3?"<math>":"",a=N;for(let l=0;l<t;l++){let h=o[l],p,u,d=-1,m=0;for(;m<h.length&&(a.lastIndex=m,u=a.exec(h),u!==null);)m=a.lastIndex,a===N?u[1]==="!--"?a=ve:u[1]!==void 0?a=xe:u[2]!==void 0?(Me.test(u[2])&&(i=RegExp("</"+u[2],"g")),a=x):u[3]!==void 0&&(a=x):a===x?u[0]===">"?(a=i??N,d=-1):u[1]===void 0?d=-2:(d=a.lastIndex-u[2].length,p=u[1],a=u[3]===void 0?x:u[3]==='"'?ke:we):a===ke||a===we?a=x:a===ve||a===xe?a=N:(a=x,i=void 0);let g=a===x&&o[l+1].startsWith("/>")?" ":"";n+=a===N?h+We:d>=0?(s.push(p),h.slice(0,d)+Se+h.slice(d)+_+g):h+_+(d===-2?l:g)}return[Ce(o,n+(o[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),s]},I=class o{constructor({strings:e,_$litType$:t},s){let i;this.parts=[];let n=0,a=0,l=e.length-1,h=this.parts,[p,u]=Ze(e,t);if(this.el=o.createElement(p,s),w.currentNode=this.el.content,t===2||t===3){let d=this.el.content.firstChild;d.replaceWith(...d.childNodes)}for(;(i=w.nextNode())!==null&&h.length<l;){if(i.nodeType===1){if(i.hasAttributes())for(let d of i.getAttributeNames())if(d.endsWith(Se)){let m=u[a++],g=i.getAttribute(d).split(_),v=/([.?@])?(.*)/.exec(m);h.push({type:1,index:n,name:v[2],strings:g,ctor:v[1]==="."?X:v[1]==="?"?ee:v[1]==="@"?te:M}),i.removeAttribute(d)}else d.startsWith(_)&&(h.push({type:6,index:n}),i.removeAttribute(d));if(Me.test(i.tagName)){let d=i.textContent.split(_),m=d.length-1;if(m>0){i.textContent=R?R.emptyScript:"";for(let g=0;g<m;g++)i.append(d[g],P()),w.nextNode(),h.push({type:2,index:++n});i.append(d[m],P())}}}else if(i.nodeType===8)if(i.data===Ee)h.push({type:2,index:n});else{let d=-1;for(;(d=i.data.indexOf(_,d+1))!==-1;)h.push({type:7,index:n}),d+=_.length-1}n++}}static createElement(e,t){let s=k.createElement("template");return s.innerHTML=e,s}};function E(o,e,t=o,s){if(e===A)return e;let i=s!==void 0?t._$Co?.[s]:t._$Cl,n=O(e)?void 0:e._$litDirective$;return i?.constructor!==n&&(i?._$AO?.(!1),n===void 0?i=void 0:(i=new n(o),i._$AT(o,t,s)),s!==void 0?(t._$Co??=[])[s]=i:t._$Cl=i),i!==void 0&&(e=E(o,i._$AS(o,e.values),i,s)),e}var Y=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:s}=this._$AD,i=(e?.creationScope??k).importNode(t,!0);w.currentNode=i;let n=w.nextNode(),a=0,l=0,h=s[0];for(;h!==void 0;){if(a===h.index){let p;h.type===2?p=new j(n,n.nextSibling,this,e):h.type===1?p=new h.ctor(n,h.name,h.strings,this,e):h.type===6&&(p=new se(n,this,e)),this._$AV.push(p),h=s[++l]}a!==h?.index&&(n=w.nextNode(),a++)}return w.currentNode=k,i}p(e){let t=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(e,s,t),t+=s.strings.length-2):s._$AI(e[t])),t++}},j=class o{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,s,i){this.type=2,this._$AH=c,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=s,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=E(this,e,t),O(e)?e===c||e==null||e===""?(this._$AH!==c&&this._$AR(),this._$AH=c):e!==this._$AH&&e!==A&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):Je(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==c&&O(this._$AH)?this._$AA.nextSibling.data=e:this.T(k.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:s}=e,i=typeof s=="number"?this._$AC(e):(s.el===void 0&&(s.el=I.createElement(Ce(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===i)this._$AH.p(t);else{let n=new Y(i,this),a=n.u(this.options);n.p(t),this.T(a),this._$AH=n}}_$AC(e){let t=Ae.get(e.strings);return t===void 0&&Ae.set(e.strings,t=new I(e)),t}k(e){oe(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,s,i=0;for(let n of e)i===t.length?t.push(s=new o(this.O(P()),this.O(P()),this,this.options)):s=t[i],s._$AI(n),i++;i<t.length&&(this._$AR(s&&s._$AB.nextSibling,i),t.length=i)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let s=$e(e).nextSibling;$e(e).remove(),e=s}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},M=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,s,i,n){this.type=1,this._$AH=c,this._$AN=void 0,this.element=e,this.name=t,this._$AM=i,this.options=n,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=c}_$AI(e,t=this,s,i){let n=this.strings,a=!1;if(n===void 0)e=E(this,e,t,0),a=!O(e)||e!==this._$AH&&e!==A,a&&(this._$AH=e);else{let l=e,h,p;for(e=n[0],h=0;h<n.length-1;h++)p=E(this,l[s+h],t,h),p===A&&(p=this._$AH[h]),a||=!O(p)||p!==this._$AH[h],p===c?e=c:e!==c&&(e+=(p??"")+n[h+1]),this._$AH[h]=p}a&&!i&&this.j(e)}j(e){e===c?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},X=class extends M{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===c?void 0:e}},ee=class extends M{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==c)}},te=class extends M{constructor(e,t,s,i,n){super(e,t,s,i,n),this.type=5}_$AI(e,t=this){if((e=E(this,e,t,0)??c)===A)return;let s=this._$AH,i=e===c&&s!==c||e.capture!==s.capture||e.once!==s.once||e.passive!==s.passive,n=e!==c&&(s===c||i);i&&this.element.removeEventListener(this.name,this,s),n&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},se=class{constructor(e,t,s){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(e){E(this,e)}};var Ge=ie.litHtmlPolyfillSupport;Ge?.(I,j),(ie.litHtmlVersions??=[]).push("3.3.3");var Te=(o,e,t)=>{let s=t?.renderBefore??e,i=s._$litPart$;if(i===void 0){let n=t?.renderBefore??null;s._$litPart$=i=new j(e.insertBefore(P(),n),n,void 0,t??{})}return i._$AI(o),i};var re=globalThis,$=class extends b{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Te(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return A}};$._$litElement$=!0,$.finalized=!0,re.litElementHydrateSupport?.({LitElement:$});var Qe=re.litElementPolyfillSupport;Qe?.({LitElement:$});(re.litElementVersions??=[]).push("4.2.2");var H=class extends Error{constructor(e,t,s=[],i=""){super(t),this.status=e,this.errors=s,this.trackingId=i}};function Ye(o){if(!o)return;let e=o.trim();return/^(SharedAccessSignature|Bearer)\s/i.test(e)?e:`SharedAccessSignature ${e}`}function Xe(o){return(o||"").trim().replace(/^(SharedAccessSignature|Bearer)\s+/i,"")}var B=class{constructor({baseUrl:e="",token:t="",organizationId:s="",log:i=()=>{}}={}){this.baseUrl=(e||"").replace(/\/+$/,""),this.token=t,this.organizationId=s||"",this.log=i}url(e,t){let s=this.baseUrl+e;if(this.organizationId&&(t={organizationId:this.organizationId,...t}),t){let i=new URLSearchParams;for(let[a,l]of Object.entries(t))l!=null&&l!==""&&i.set(a,String(l));let n=i.toString();n&&(s+=(s.includes("?")?"&":"?")+n)}return s}async request(e,t,{query:s,body:i,contentType:n="application/json"}={}){let a={Accept:"application/json"},l=Ye(this.token);l&&(a.Authorization=l),i!==void 0&&(a["Content-Type"]=n);let h=this.url(t,s);this.log(e,h);let p;try{p=await fetch(h,{method:e,headers:a,body:i===void 0?void 0:JSON.stringify(i)})}catch(m){throw new H(0,et(h,m))}let u=await p.text(),d=null;try{d=u?JSON.parse(u):null}catch{d=null}if(!p.ok){let m=d&&d.message||`${p.status} ${p.statusText||"error"}`,g=(d&&Array.isArray(d.errors)?d.errors:[]).filter(v=>v&&v!==m);throw new H(p.status,m,g,d&&d.trackingId||"")}return d}get(e,t){return this.request("GET",e,{query:t})}post(e,t){return this.request("POST",e,{body:t})}patch(e,t){return this.request("PATCH",e,{body:t})}stream(e,t={}){let s={...t},i=Xe(this.token);i&&(s.bearerToken=i);let n=this.url(e,s);return this.log("SSE",n.replace(/bearerToken=[^&]*/,"bearerToken=…")),new EventSource(n)}};function et(o,e){let t=globalThis.location?.origin,s="";try{s=new URL(o,globalThis.location?.href).origin}catch{s=""}return t&&s&&t!==s?`Cannot reach ${s}: ${e.message}. If it is running, it does not allow this page's origin ${t}: add it to cors.allowOrigins in its configuration (JDS_CORS_ORIGINS).`:`Cannot reach the server: ${e.message}`}var f=encodeURIComponent;function S(o){if(!o)return"";let e=o.errors&&o.errors.length?` (${o.errors.join("; ")})`:"";return`${o.message}${e}`}var ce={blue:"#1d6ae5",green:"#1f8a4c",black:"#1f2328",olive:"#6b7a1f",cyan:"#0a8aa8",violet:"#7b4fd6",red:"#d1343b",gray:"#6b7280",orange:"#d9650b",lime:"#5c9a0f",cobalt:"#0047ab",purple:"#8e2db5",yellow:"#b58a00",gold:"#b8860b",mint:"#13a386",slate:"#475569",pink:"#d63384"},Pe="slate",Oe={phone:"M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1 1 .4 1.9.7 2.8a2 2 0 0 1-.5 2.1L8 9.9a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.8.7a2 2 0 0 1 1.7 2z",sms:"M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2zM8 9h8M8 13h5",email:"M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zM22 6l-10 7L2 6",chat:"M21 11.5a8.4 8.4 0 0 1-9 8.4 8.5 8.5 0 0 1-3.8-.9L3 21l1.9-5.2A8.4 8.4 0 0 1 12 3a8.5 8.5 0 0 1 9 8.5z",web:"M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM2 12h20M12 2a15.3 15.3 0 0 1 4 10 15.3 15.3 0 0 1-4 10 15.3 15.3 0 0 1-4-10 15.3 15.3 0 0 1 4-10z",payment:"M3 5h18a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1zM2 10h20M6 15h4",login:"M15 3h4a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-4M10 17l5-5-5-5M15 12H3",bell:"M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0",home:"M3 10l9-7 9 7v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2zM9 22V12h6v10",video:"M23 7l-7 5 7 5V7zM3 5h11a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z",user:"M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M12 3a4 4 0 1 0 0 8 4 4 0 0 0 0-8z",queue:"M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM12 6v6l4 2",social:"M18 2h-3a5 5 0 0 0-5 5v3H7v4h3v8h4v-8h3l1-4h-4V7a1 1 0 0 1 1-1h3z",agent:"M3 18v-6a9 9 0 0 1 18 0v6M21 19a2 2 0 0 1-2 2h-1a2 2 0 0 1-2-2v-3a2 2 0 0 1 2-2h3zM3 19a2 2 0 0 0 2 2h1a2 2 0 0 0 2-2v-3a2 2 0 0 0-2-2H3z",event:"M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8z"},tt={Voice:{icon:"phone",color:"blue"},Call:{icon:"phone",color:"blue"},Telephony:{icon:"phone",color:"blue"},IVR:{icon:"phone",color:"cobalt"},"Queued Caller":{icon:"queue",color:"orange"},"Closed Queue":{icon:"queue",color:"red"},SMS:{icon:"sms",color:"green"},WhatsApp:{icon:"sms",color:"mint"},Email:{icon:"email",color:"violet"},Chat:{icon:"chat",color:"cyan"},Messenger:{icon:"chat",color:"cobalt"},Social:{icon:"social",color:"cobalt"},Web:{icon:"web",color:"cyan"},Website:{icon:"web",color:"cyan"},NewVisit:{icon:"web",color:"cyan"},MortgageRates:{icon:"home",color:"olive"},Payment:{icon:"payment",color:"gold"},"Payment Notify":{icon:"bell",color:"red"},Notification:{icon:"bell",color:"orange"},LoginUser:{icon:"login",color:"purple"},Login:{icon:"login",color:"purple"},Webex:{icon:"agent",color:"black"},Agent:{icon:"agent",color:"black"},Video:{icon:"video",color:"pink"}},q={icon:"event",color:Pe},st={handset:"phone",call:"phone","incoming-call":"phone","outgoing-call":"phone",ivr:"phone",voice:"phone",dialpad:"phone",message:"sms",whatsapp:"sms",text:"sms",mail:"email",envelope:"email",inbox:"email","chat-group":"chat",messenger:"chat","chat-active":"chat",browser:"web",globe:"web",language:"web",website:"web",link:"web","credit-card":"payment",wallet:"payment",card:"payment",cart:"payment","shopping-cart":"payment","sign-in":"login",unlock:"login",lock:"login",key:"login",alert:"bell",notification:"bell","alert-active":"bell",warning:"bell",info:"bell",house:"home",camera:"video","video-call":"video",meetings:"video",person:"user",people:"user","contact-card":"user",contact:"user",profile:"user",recents:"queue",clock:"queue",time:"queue",hourglass:"queue",waiting:"queue",facebook:"social",twitter:"social",instagram:"social",linkedin:"social",share:"social",headset:"agent","customer-service":"agent","headset-alt":"agent"};function it(o){let e=String(o||"").toLowerCase().replace(/^icon-/,"").replace(/_\d+$/,"").replace(/-(filled|bold|light|regular|active)$/,"");return Oe[e]?e:st[e]||q.icon}function le(o){if(!(!o||typeof o!="object"))return o.icon?o:o.name?{icon:it(o.name),color:o.color}:o.color?{icon:q.icon,color:o.color}:void 0}function Ne(o,e,t=!0){if(!o||typeof o!="object")return;if(o[e])return le(o[e]);let s=e.toLowerCase();for(let i of Object.keys(o))if(i.toLowerCase()===s)return le(o[i]);if(t)for(let i of Object.keys(o)){let n;try{n=new RegExp(i,"i")}catch{continue}if(n.test(e))return le(o[i])}}function V(o,e){let t=String(e??""),s=t&&Ne(o,t)||Ne(tt,t,!1)||q,i=ce[String(s.color||"").toLowerCase()]?String(s.color).toLowerCase():Pe;return{icon:s.icon||q.icon,color:i,css:ce[i]}}function he(o){let e=Oe[o]||(/^[Mm][\d\s.,-]/.test(o)?o:null);return e?ae`<svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d=${e}></path></svg>`:ae`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><text x="12" y="17" text-anchor="middle" font-size="15">${String(o).slice(0,4)}</text></svg>`}var de={All:0,"24-Hours":24*36e5,"7-Days":168*36e5,"30-Days":720*36e5},Ie=["phone","email","customerId","socialId","temporaryId"],je={phone:"Phone",email:"Email",customerId:"Customer ID",socialId:"Social ID",temporaryId:"Temporary ID"};function pe(o){let e=new Date(o);if(isNaN(e))return"unknown";let t=s=>String(s).padStart(2,"0");return`${e.getFullYear()}-${t(e.getMonth()+1)}-${t(e.getDate())}`}function ot(o,e=new Date){if(o==="unknown")return"Unknown date";if(o===pe(e))return"Today";if(o===pe(e.getTime()-24*36e5))return"Yesterday";let[t,s,i]=o.split("-").map(Number);return new Intl.DateTimeFormat(void 0,{weekday:"short",year:"numeric",month:"short",day:"numeric"}).format(new Date(t,s-1,i))}function F(o){let e=new Date(o);return isNaN(e)?"":new Intl.DateTimeFormat(void 0,{hour:"2-digit",minute:"2-digit"}).format(e)}function ze(o){try{return decodeURIComponent(o||"")}catch{return o||""}}function y(o){return o==null?"":typeof o=="object"?JSON.stringify(o):String(o)}function nt(o,e){if(!o||typeof o!="object")return"";let t=[o,o.interaction,o.data,o.data?.interaction].filter(a=>a&&typeof a=="object"),s=a=>(a&&typeof a=="object"?a.value:a)??"",i=a=>{for(let l of t)if(l[a]&&(typeof l[a]=="object"||String(l[a]).trim()))return l[a]};if(e)for(let a of t)for(let l of[a.callAssociatedDetails,a.callAssociatedData]){let h=l&&typeof l=="object"?String(s(l[e])).trim():"";if(h)return h}let n=i("contactDirection");return n&&typeof n=="object"&&(n=n.type),String(s(String(n||"").toUpperCase()==="OUTBOUND"?i("dnis"):i("ani"))).trim()}var at=/\bhttps?:\/\/[^\s<>"'`]+/gi;function rt(o){try{let e=new URL(o);return e.protocol==="http:"||e.protocol==="https:"?e.href:null}catch{return null}}function lt(o){let e=[],t=0;for(let s of o.matchAll(at)){let i=s[0].replace(/[.,;:!?)\]}]+$/,""),n=rt(i);n&&(e.push(o.slice(t,s.index),r`<a href=${n} target="_blank" rel="noopener noreferrer">${i}</a>`),t=s.index+i.length)}return e.length?(e.push(o.slice(t)),e):o}function ct(o){let e=o?.data;if(!e||typeof e!="object")return"";for(let t of Object.keys(e))if(t.toLowerCase()==="taskid"&&e[t]!==null&&e[t]!==void 0&&e[t]!=="")return y(e[t]);return""}function ht(o){let e=[],t=new Map;for(let s of o){let i=ct(s);if(i&&t.has(i))t.get(i).items.push(s);else{let n={task:i,items:[s]};i&&t.set(i,n),e.push(n)}}return e}function dt(o){return/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(o)}function pt(o,e){return(Date.parse(e.time)||0)-(Date.parse(o.time)||0)}var z=class extends ${constructor(){super(),this.customer="",this.templateId="",this.limit=50,this.timeFrame="All",this.liveStream=!1,this.iconDataPath="",this.badgeKeyword="",this.collapseTimelineSection=!1,this.collapseProfileSection=!1,this.collapseAliasSection=!1,this.readOnlyAliases=!1,this.hideAliases=!1,this.baseUrl="",this.token="",this.interactionData=null,this.cadVariable="",this.bearerToken="",this.organizationId="",this.dataCenter="",this.eventIconTemplate=null,this._editName=!1,this._nameMsg=null,this._pes=null,this.workspaceId="default",this.logsOn=!1,this._identity="",this._events=[],this._loading=!1,this._more=!1,this._page=0,this._error=null,this._expanded=new Set,this._hidden=new Set,this._frame="All",this._live="off",this._profile={state:"none"},this._person={state:"none"},this._aliasMsg=null,this._aliasBusy=!1,this._open={timeline:!0,profile:!0,alias:!0},this._iconMap=null,this._fresh=new Set,this._es=null,this._retry=null,this._gen=0}log(...e){this.logsOn&&console.debug("[customer-journey]",...e)}get api(){return new B({baseUrl:this.base,token:this.authToken,organizationId:this.organizationId,log:(...e)=>this.log(...e)})}get base(){let e=(this.dataCenter||"").trim();return this.baseUrl?this.baseUrl.replace(/\{dataCenter\}/g,encodeURIComponent(e)):/^https?:\/\//i.test(e)?e:""}get authToken(){let e=(this.bearerToken||"").trim();return e?/^(SharedAccessSignature|Bearer)\s/i.test(e)?e:`Bearer ${e}`:this.token}get ws(){return this.workspaceId||"default"}willUpdate(e){if(e.has("customer")||e.has("interactionData")||e.has("cadVariable")){let t=(this.customer||"").trim()||nt(this.interactionData,(this.cadVariable||"").trim());(t||e.has("customer")||!this.interactionData)&&(this._identity=t)}e.has("timeFrame")&&(this._frame=de[this.timeFrame]!==void 0?this.timeFrame:"All"),e.has("collapseTimelineSection")&&(this._open={...this._open,timeline:!this.collapseTimelineSection}),e.has("collapseProfileSection")&&(this._open={...this._open,profile:!this.collapseProfileSection}),e.has("collapseAliasSection")&&(this._open={...this._open,alias:!this.collapseAliasSection})}updated(e){(e.has("iconDataPath")||e.has("eventIconTemplate"))&&this.loadIconMap(),["_identity","liveStream","baseUrl","token","bearerToken","organizationId","dataCenter","workspaceId","limit","templateId"].some(s=>e.has(s))&&this.reload()}disconnectedCallback(){super.disconnectedCallback(),this.disconnect()}connectedCallback(){super.connectedCallback(),this.hasUpdated&&this._identity&&this.reload()}async loadIconMap(){if(!this.iconDataPath){this._iconMap=this.eventIconTemplate&&typeof this.eventIconTemplate=="object"?this.eventIconTemplate:null;return}try{let e=await fetch(this.iconDataPath);if(!e.ok)throw new Error(`${e.status} ${e.statusText}`);this._iconMap=await e.json(),this.log("icon map",this._iconMap)}catch(e){this._iconMap=null,this._error={message:`Icon map ${this.iconDataPath} could not be loaded: ${e.message}`}}}reload(){let e=++this._gen;if(this.disconnect(),this._events=[],this._expanded=new Set,this._fresh=new Set,this._error=null,this._page=0,this._more=!1,this._aliasMsg=null,this._nameMsg=null,this._editName=!1,this._lastLiveId=null,!this._identity){this._profile={state:"none"},this._person={state:"none"};return}this.loadEvents(e,0),this.loadProfile(e),this.loadPerson(e),this.connect()}async loadEvents(e,t){this._loading=!0;let s=Math.min(Math.max(parseInt(this.limit,10)||50,1),1e3);try{let i=await this.api.get(`/v1/api/events/workspace-id/${f(this.ws)}`,{identity:this._identity,pageSize:s,page:t});if(e!==this._gen)return;let n=Array.isArray(i?.data)?i.data:[];this.merge(n),this._page=t,this._more=n.length===s,this.dispatchEvent(new CustomEvent("journey-loaded",{detail:{identity:this._identity,count:this._events.length},bubbles:!0,composed:!0}))}catch(i){if(e!==this._gen)return;this._error=i,this.dispatchEvent(new CustomEvent("journey-error",{detail:{message:S(i)},bubbles:!0,composed:!0}))}finally{e===this._gen&&(this._loading=!1)}}merge(e,t=!1){let s=new Set(this._events.map(n=>n.id)),i=e.filter(n=>n&&n.id&&!s.has(n.id));i.length&&(t&&(this._fresh=new Set([...this._fresh,...i.map(n=>n.id)])),this._events=[...this._events,...i].sort(pt))}async loadProfile(e){let t=(this.templateId||"").trim();if(!t){this._profile={state:"none"};return}this._profile={state:"loading"};let s=`/v1/api/progressive-profile-view/workspace-id/${f(this.ws)}/identity/${f(this._identity)}`,i=`${dt(t)?"template-id":"template-name"}/${f(t)}`;try{let n=await this.api.get(`${s}/${i}`);if(e!==this._gen)return;this.showProfile(Array.isArray(n?.data)?n.data[0]:n?.data),this.connectProfile(e,i)}catch(n){if(e!==this._gen)return;this._profile=n.status===404?{state:"empty"}:{state:"error",error:n}}}showProfile(e){this._profile=e&&Array.isArray(e.attributes)&&e.attributes.length?{state:"ok",view:e}:{state:"empty"}}connectProfile(e,t){if(this.closeProfile(),!this.liveStream||typeof EventSource>"u"||e!==this._gen)return;let s=this.api.stream(`/v1/api/progressive-profile-view/stream/workspace-id/${f(this.ws)}/identity/${f(this._identity)}/${t}`);this._pes=s,s.addEventListener("profile",i=>{if(!(this._pes!==s||e!==this._gen))try{let n=JSON.parse(i.data);this.log("live profile",n),this.showProfile(n)}catch{}}),s.onerror=()=>{this._pes!==s||s.readyState!==EventSource.CLOSED||(clearTimeout(this._pretry),this._pretry=setTimeout(()=>{this._pes===s&&e===this._gen&&this.connectProfile(e,t)},5e3))}}closeProfile(){clearTimeout(this._pretry),this._pes&&this._pes.close(),this._pes=null}async loadPerson(e){this._person={state:"loading"};try{let t=await this.api.get(`/admin/v1/api/person/workspace-id/${f(this.ws)}/aliases/${f(this._identity)}`);if(e!==this._gen)return;let s=Array.isArray(t?.data)?t.data[0]:null;this._person=s?{state:"ok",person:s}:{state:"empty"}}catch(t){if(e!==this._gen)return;this._person=t.status===404?{state:"empty"}:{state:"error",error:t}}}connect(){if(this.closeEvents(),!this.liveStream||!this._identity||typeof EventSource>"u")return;let e=this._gen,t=this._lastLiveId||(this._events.length?this._events[0].id:""),s=this.api.stream(`/v1/api/events/stream/workspace-id/${f(this.ws)}/identity/${f(this._identity)}`,t?{lastEventId:t}:{});this._es=s,this._live="connecting",s.onopen=()=>{this._es===s&&(this._live="on")},s.addEventListener("event",i=>{if(this._es!==s||e!==this._gen)return;let n;try{n=JSON.parse(i.data)}catch{return}this._lastLiveId=i.lastEventId||n.id,this.log("live event",n),this.merge([n],!0),this._person.state==="empty"&&this.loadPerson(e),this.dispatchEvent(new CustomEvent("journey-event",{detail:n,bubbles:!0,composed:!0}))}),s.onerror=()=>{this._es===s&&(s.readyState===EventSource.CLOSED?(this._live="off",clearTimeout(this._retry),this._retry=setTimeout(()=>{this._es===s&&e===this._gen&&this.connect()},5e3)):this._live="connecting")}}disconnect(){this.closeProfile(),this.closeEvents()}closeEvents(){clearTimeout(this._retry),this._es&&(this._es.close(),this._es=null),this._live="off"}async addAlias(e){e.preventDefault();let t=e.target,s=t.kind.value,i=t.value.value.trim();!i||this._person.state!=="ok"||(await this.changeAliases(`/admin/v1/api/person/add-identities/workspace-id/${f(this.ws)}/person-id/${f(this._person.person.id)}`,{[s]:[i]},`Added ${i}`),this._aliasMsg?.ok&&(t.value.value=""))}removeAlias(e){return this.changeAliases(`/admin/v1/api/person/remove-identities/workspace-id/${f(this.ws)}/person-id/${f(this._person.person.id)}`,[e],`Removed ${e}`)}async changeAliases(e,t,s){this._aliasBusy=!0,this._aliasMsg=null;try{let i=await this.api.patch(e,t);i?.data&&(this._person={state:"ok",person:i.data}),this._aliasMsg={ok:!0,text:s}}catch(i){this._aliasMsg={ok:!1,text:S(i)}}finally{this._aliasBusy=!1}}openNameEditor(){this._editName=!0,this._nameMsg=null,this.updateComplete.then(()=>this.renderRoot.querySelector("#cjw-first")?.focus())}closeNameEditor(){this._editName=!1,this.updateComplete.then(()=>this.renderRoot.querySelector(".edit-name-btn")?.focus())}async saveName(e){if(e.preventDefault(),this._person.state!=="ok")return;let t=e.target,s=[{op:"add",path:"/firstName",value:t.firstName.value.trim()},{op:"add",path:"/lastName",value:t.lastName.value.trim()}];this._aliasBusy=!0,this._nameMsg=null;try{let i=await this.api.patch(`/admin/v1/api/person/workspace-id/${f(this.ws)}/person-id/${f(this._person.person.id)}`,s);i?.data&&(this._person={state:"ok",person:i.data}),this._nameMsg={ok:!0,text:"Name saved"},this.closeNameEditor()}catch(i){this._nameMsg={ok:!1,text:S(i)}}finally{this._aliasBusy=!1}}search(e){e.preventDefault();let t=e.target.identity.value.trim();t&&(this._identity=t)}clearSearch(){this._identity=""}toggle(e){let t=new Set(this._expanded);t.has(e)?t.delete(e):t.add(e),this._expanded=t}toggleType(e){let t=new Set(this._hidden);t.has(e)?t.delete(e):t.add(e),this._hidden=t}toggleSection(e){this._open={...this._open,[e]:!this._open[e]}}get visible(){let e=de[this._frame]||0,t=e?Date.now()-e:-1/0;return this._events.filter(s=>!this._hidden.has(this.typeOf(s))&&(!e||(Date.parse(s.time)||0)>=t))}typeOf(e){return String(e?.data?.channelType??"")||"Other"}render(){return r`<section class="cjw" aria-label="Customer journey">
      <header class="top">
        <div class="title">
          <h2>Customer Journey</h2>
          ${this._identity?r`<span class="who" title=${this._identity}>${this.fullName?r`<b class="name">${this.fullName}</b> · `:c}${this._identity}</span>`:c}
        </div>
        <div class="tools">
          ${this.liveStream&&this._identity?r`<span class="live ${this._live}" role="status" aria-label=${`Live updates: ${this._live==="on"?"connected":this._live==="connecting"?"connecting":"off"}`}
                ><span class="dot" aria-hidden="true"></span>${this._live==="on"?"Live":this._live==="connecting"?"Connecting":"Offline"}</span
              >`:c}
          ${this._person.state==="ok"?r`<button class="icon-btn edit-name-btn" @click=${this.openNameEditor} aria-label="Edit name" title="Edit name" aria-expanded=${this._editName?"true":"false"}>
                <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M12 20h9M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z"></path></svg>
              </button>`:c}
          ${this._identity?r`<button class="icon-btn" @click=${()=>this.reload()} aria-label="Refresh journey" title="Refresh">
                <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M21 12a9 9 0 1 1-3-6.7L21 8M21 3v5h-5"></path></svg>
              </button>`:c}
          ${this._identity&&!this.customer?r`<button class="icon-btn" @click=${this.clearSearch} aria-label="Search another customer" title="Search another customer">
                <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM21 21l-5-5"></path></svg>
              </button>`:c}
        </div>
      </header>
      ${this._editName&&this._person.state==="ok"?this.renderNameEditor():c}
      ${this._nameMsg?r`<p class=${this._nameMsg.ok?"ok pad":"error"} role=${this._nameMsg.ok?"status":"alert"}>${this._nameMsg.text}</p>`:c}
      ${this._identity?c:this.renderSearch()}
      ${this._error?r`<div class="error" role="alert">${S(this._error)}</div>`:c}
      ${this._identity?r`${this.renderProfile()} ${this.hideAliases?c:this.renderAliases()} ${this.renderTimeline()}`:c}
    </section>`}get fullName(){let e=this._person.state==="ok"?this._person.person:null;return e?[e.firstName,e.lastName].filter(Boolean).join(" "):""}renderNameEditor(){let e=this._person.person;return r`<form class="edit-name" aria-label="Edit name" @submit=${this.saveName} @keydown=${t=>t.key==="Escape"&&this.closeNameEditor()}>
      <label for="cjw-first">First name</label>
      <input id="cjw-first" name="firstName" .value=${e.firstName||""} autocomplete="off" maxlength="200" />
      <label for="cjw-last">Last name</label>
      <input id="cjw-last" name="lastName" .value=${e.lastName||""} autocomplete="off" maxlength="200" />
      <div class="row">
        <button type="submit" class="primary" ?disabled=${this._aliasBusy}>Save</button>
        <button type="button" @click=${this.closeNameEditor}>Cancel</button>
      </div>
    </form>`}renderSearch(){return r`<form class="search" role="search" @submit=${this.search}>
      <label for="q">Customer identity</label>
      <div class="row">
        <input id="q" name="identity" type="search" placeholder="Phone, email or customer ID" autocomplete="off" required />
        <button type="submit" class="primary">Look up</button>
      </div>
    </form>`}sectionHead(e,t,s=c){let i=this._open[e];return r`<h3 class="sec-head">
      <button class="sec-toggle" aria-expanded=${i?"true":"false"} aria-controls=${`sec-${e}`} @click=${()=>this.toggleSection(e)}>
        <svg class="chev ${i?"open":""}" viewBox="0 0 24 24" width="14" height="14" fill="none" stroke="currentColor" stroke-width="2.5" aria-hidden="true"><path d="M9 6l6 6-6 6"></path></svg>
        ${t}
      </button>
      ${s}
    </h3>`}renderProfile(){let e=this._profile;if(!this.templateId)return c;let t;e.state==="loading"?t=r`<p class="muted">Loading profile…</p>`:e.state==="error"?t=r`<p class="error" role="alert">${S(e.error)}</p>`:e.state==="ok"?t=r`<table class="kv" aria-label="Profile attributes">
        <tbody>
          ${e.view.attributes.map(i=>r`<tr>
              <th scope="row">${i.displayName||i.name}</th>
              <td>${i.error?r`<span class="bad">${y(i.error)}</span>`:y(i.result??i.value)}</td>
            </tr>`)}
        </tbody>
      </table>`:t=r`<p class="muted">No profile</p>`;let s=e.state==="ok"&&e.view.templateName?`Profile · ${e.view.templateName}`:"Profile";return r`<div class="section" part="profile">
      ${this.sectionHead("profile",s)}
      <div id="sec-profile" ?hidden=${!this._open.profile}>${t}</div>
    </div>`}renderAliases(){let e=this._person,t;if(e.state==="loading")t=r`<p class="muted">Loading aliases…</p>`;else if(e.state==="error")t=r`<p class="error" role="alert">${S(e.error)}</p>`;else if(e.state==="empty")t=r`<p class="muted">No person owns this identity yet.</p>`;else if(e.state==="ok"){let s=e.person,i=this.readOnlyAliases,n=Ie.filter(a=>(s[a]||[]).length);t=r`
        <ul class="aliases" aria-label="Aliases">
          ${n.map(a=>s[a].map(l=>r`<li class="alias" data-kind=${a}>
                <span class="kind">${je[a]}</span><span class="val" title=${l}>${l}</span>
                ${i?c:r`<button class="icon-btn small" ?disabled=${this._aliasBusy} aria-label=${`Remove alias ${l}`} title="Remove" @click=${()=>this.removeAlias(l)}>
                      <svg viewBox="0 0 24 24" width="12" height="12" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"></path></svg>
                    </button>`}
              </li>`))}
        </ul>
        ${i?c:r`<form class="add-alias" @submit=${this.addAlias} aria-label="Add alias">
              <select name="kind" aria-label="Alias kind">
                ${Ie.map(a=>r`<option value=${a} ?selected=${a==="email"}>${je[a]}</option>`)}
              </select>
              <input name="value" aria-label="Alias value" placeholder="New alias" required />
              <button type="submit" ?disabled=${this._aliasBusy}>Add</button>
            </form>`}
        ${this._aliasMsg?r`<p class=${this._aliasMsg.ok?"ok":"error"} role=${this._aliasMsg.ok?"status":"alert"}>${this._aliasMsg.text}</p>`:c}
      `}return r`<div class="section" part="aliases">
      ${this.sectionHead("alias","Aliases")}
      <div id="sec-alias" ?hidden=${!this._open.alias}>${t??c}</div>
    </div>`}renderTimeline(){let e=[...new Set(this._events.map(n=>this.typeOf(n)))].sort((n,a)=>n.localeCompare(a)),t=this.visible,s=[];for(let n of ht(t)){let a=pe(n.items[0].time);(!s.length||s[s.length-1].key!==a)&&s.push({key:a,items:[]}),s[s.length-1].items.push(n)}let i=r`<span class="count" aria-live="polite">${t.length===this._events.length?`${t.length}`:`${t.length} of ${this._events.length}`}</span>`;return r`<div class="section" part="timeline">
      ${this.sectionHead("timeline","Timeline",i)}
      <div id="sec-timeline" ?hidden=${!this._open.timeline}>
        <div class="filters">
          <label class="frame"
            ><span>Time frame</span>
            <select aria-label="Time frame" @change=${n=>this._frame=n.target.value}>
              ${Object.keys(de).map(n=>r`<option value=${n} ?selected=${n===this._frame}>${n==="All"?"All time":n.replace("-"," ")}</option>`)}
            </select></label
          >
          ${e.length>1?r`<div class="chips" role="group" aria-label="Filter by channel type">
                ${e.map(n=>{let a=!this._hidden.has(n),l=V(this._iconMap,n);return r`<button class="chip ${a?"on":""}" aria-pressed=${a?"true":"false"} data-type=${n} style=${`--c:${l.css}`} @click=${()=>this.toggleType(n)}>
                    <span class="sw" aria-hidden="true"></span>${n}
                  </button>`})}
              </div>`:c}
        </div>
        ${this._loading&&!this._events.length?r`<p class="muted">Loading events…</p>`:c}
        ${!this._loading&&!this._error&&!this._events.length?r`<p class="muted empty">No events for this customer yet.</p>`:c}
        ${this._events.length&&!t.length?r`<p class="muted empty">No events match the filters.</p>`:c}
        ${s.map(n=>r`<div class="day" data-day=${n.key}>
            <h4 class="day-head">${ot(n.key)}</h4>
            <ol class="events">
              ${n.items.map(a=>a.items.length>1?this.renderTask(a):this.renderEvent(a.items[0]))}
            </ol>
          </div>`)}
        ${this._more?r`<button class="more" ?disabled=${this._loading} @click=${()=>this.loadEvents(this._gen,this._page+1)}>${this._loading?"Loading…":"Load older events"}</button>`:c}
      </div>
    </div>`}renderTask(e){let t=e.items[0],s=e.items[e.items.length-1],i=t.data&&typeof t.data=="object"?t.data:{},n=V(this._iconMap,i.channelType),a=`task:${e.task}`,l=this._expanded.has(a),h=y(i.origin)||t.type,p=`tk-${e.task}`.replace(/[^A-Za-z0-9_-]/g,"_"),u=e.items.some(d=>this._fresh.has(d.id));return r`<li class="task ${u?"fresh":""}" data-task=${e.task} data-type=${this.typeOf(t)} data-color=${n.color}>
      <button class="ev-head" aria-expanded=${l?"true":"false"} aria-controls=${p} @click=${()=>this.toggle(a)}>
        <span class="ic stack" style=${`--c:${n.css}`} data-icon=${n.icon}>${he(n.icon)}</span>
        <span class="ev-main">
          <span class="ev-title">${h}</span>
          <span class="ev-sub"><span class="n">${e.items.length} events</span> · task ${e.task}</span>
        </span>
        <span class="ev-side">
          <time datetime=${t.time} title=${`${F(s.time)}–${F(t.time)}`}>${F(t.time)}</time>
          <span class="badge" style=${`--c:${n.css}`}>${e.items.length}</span>
        </span>
      </button>
      ${l?r`<ol class="events nested" id=${p} aria-label=${`Events of task ${e.task}`}>${e.items.map(d=>this.renderEvent(d))}</ol>`:c}
    </li>`}renderEvent(e){let t=e.data&&typeof e.data=="object"?e.data:{},s=this.typeOf(e),i=V(this._iconMap,t.channelType),n=this._expanded.has(e.id),a=y(t.origin)||e.type,l=this.badgeKeyword?y(t[this.badgeKeyword]):y(t.channelType),h=`ev-${e.id}`.replace(/[^A-Za-z0-9_-]/g,"_");return r`<li class="event ${this._fresh.has(e.id)?"fresh":""}" data-id=${e.id} data-type=${s} data-color=${i.color}>
      <button class="ev-head" aria-expanded=${n?"true":"false"} aria-controls=${h} @click=${()=>this.toggle(e.id)}>
        <span class="ic" style=${`--c:${i.css}`} data-icon=${i.icon}>${he(i.icon)}</span>
        <span class="ev-main">
          <span class="ev-title">${a}</span>
          <span class="ev-sub">${e.type}${e.source?r` · ${ze(e.source)}`:c}</span>
        </span>
        <span class="ev-side">
          <time datetime=${e.time}>${F(e.time)}</time>
          ${l?r`<span class="badge" style=${`--c:${i.css}`}>${l}</span>`:c}
        </span>
      </button>
      ${n?r`<div class="ev-body" id=${h}>
            <table class="kv" aria-label=${`Details of ${a}`}>
              <tbody>
                ${Object.entries(t).map(([p,u])=>r`<tr><th scope="row">${p}</th><td>${lt(y(u))}</td></tr>`)}
                <tr class="meta"><th scope="row">type</th><td>${e.type}</td></tr>
                <tr class="meta"><th scope="row">source</th><td>${ze(e.source)}</td></tr>
                <tr class="meta"><th scope="row">identity</th><td>${e.identity} (${e.identitytype})</td></tr>
                ${e.previousidentity?r`<tr class="meta"><th scope="row">previous identity</th><td>${e.previousidentity}</td></tr>`:c}
                <tr class="meta"><th scope="row">time</th><td>${e.time?new Date(e.time).toLocaleString():""}</td></tr>
                <tr class="meta"><th scope="row">id</th><td>${e.id}</td></tr>
              </tbody>
            </table>
          </div>`:c}
    </li>`}};K(z,"properties",{customer:{type:String},templateId:{type:String,attribute:"template-id"},limit:{type:Number},timeFrame:{type:String,attribute:"time-frame"},liveStream:{type:Boolean,attribute:"live-stream"},iconDataPath:{type:String,attribute:"icon-data-path"},badgeKeyword:{type:String,attribute:"badge-keyword"},collapseTimelineSection:{type:Boolean,attribute:"collapse-timeline-section"},collapseProfileSection:{type:Boolean,attribute:"collapse-profile-section"},collapseAliasSection:{type:Boolean,attribute:"collapse-alias-section"},readOnlyAliases:{type:Boolean,attribute:"read-only-aliases"},hideAliases:{type:Boolean,attribute:"hide-aliases"},baseUrl:{type:String,attribute:"base-url"},token:{type:String},interactionData:{type:Object,attribute:"interaction-data"},cadVariable:{type:String,attribute:"cad-variable"},bearerToken:{type:String,attribute:"bearer-token"},organizationId:{type:String,attribute:"organization-id"},dataCenter:{type:String,attribute:"data-center"},eventIconTemplate:{attribute:!1},workspaceId:{type:String,attribute:"workspace-id"},logsOn:{type:Boolean,attribute:"logs-on"},_identity:{state:!0},_events:{state:!0},_loading:{state:!0},_more:{state:!0},_error:{state:!0},_expanded:{state:!0},_hidden:{state:!0},_frame:{state:!0},_live:{state:!0},_profile:{state:!0},_person:{state:!0},_aliasMsg:{state:!0},_aliasBusy:{state:!0},_open:{state:!0},_iconMap:{state:!0},_fresh:{state:!0},_editName:{state:!0},_nameMsg:{state:!0}}),K(z,"styles",J`
    :host {
      display: block;
      font-family: var(--cjw-font, system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif);
      font-size: 14px;
      line-height: 1.4;
      color: var(--cjw-fg, #1f2328);
      background: var(--cjw-bg, #fff);
      container-type: inline-size;
      min-width: 0;
    }
    [hidden] {
      display: none !important;
    }
    .cjw {
      border: 1px solid var(--cjw-border, #d8dee4);
      border-radius: 8px;
      overflow: hidden;
      background: inherit;
    }
    .top {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 8px;
      padding: 10px 12px;
      border-bottom: 1px solid var(--cjw-border, #d8dee4);
      background: var(--cjw-head-bg, #f6f8fa);
    }
    .title {
      min-width: 0;
      display: flex;
      flex-direction: column;
    }
    h2 {
      font-size: 15px;
      font-weight: 600;
      margin: 0;
    }
    .who {
      color: #57606a;
      font-size: 12px;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .tools {
      display: flex;
      align-items: center;
      gap: 6px;
      flex: none;
    }
    button,
    input,
    select {
      font: inherit;
      color: inherit;
    }
    button {
      cursor: pointer;
    }
    button:disabled {
      cursor: default;
      opacity: 0.6;
    }
    :focus-visible {
      outline: 2px solid var(--cjw-focus, #1d6ae5);
      outline-offset: 2px;
    }
    .icon-btn {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      width: 30px;
      height: 30px;
      border: 1px solid var(--cjw-border, #d8dee4);
      border-radius: 6px;
      background: #fff;
      color: #424a53;
      padding: 0;
    }
    .icon-btn:hover {
      background: #eef1f4;
    }
    .icon-btn.small {
      width: 22px;
      height: 22px;
      border-color: transparent;
      background: transparent;
    }
    .icon-btn.small:hover {
      background: #ffe9e9;
      color: #d1343b;
    }
    .live {
      display: inline-flex;
      align-items: center;
      gap: 5px;
      font-size: 12px;
      color: #57606a;
      padding: 2px 8px;
      border-radius: 999px;
      background: #eef1f4;
    }
    .live .dot {
      width: 8px;
      height: 8px;
      border-radius: 50%;
      background: #8c959f;
    }
    .live.on {
      color: #1a7f37;
      background: #e6f4ea;
    }
    .live.on .dot {
      background: #1f8a4c;
      box-shadow: 0 0 0 3px rgba(31, 138, 76, 0.2);
    }
    .live.connecting .dot {
      background: #d9650b;
    }
    .search {
      padding: 12px;
    }
    .search label {
      display: block;
      font-weight: 600;
      margin-bottom: 6px;
    }
    .row,
    .add-alias {
      display: flex;
      gap: 6px;
      flex-wrap: wrap;
    }
    input,
    select {
      border: 1px solid #c9d1d9;
      border-radius: 6px;
      padding: 6px 8px;
      background: #fff;
      min-width: 0;
    }
    .row input {
      flex: 1 1 160px;
    }
    button.primary,
    .edit-name .primary,
    .add-alias button,
    .more {
      border: 1px solid #1d6ae5;
      background: #1d6ae5;
      color: #fff;
      border-radius: 6px;
      padding: 6px 12px;
      font-weight: 600;
    }
    .more {
      display: block;
      margin: 8px auto 12px;
      background: #fff;
      color: #1d6ae5;
    }
    .error {
      margin: 8px 12px;
      padding: 8px 10px;
      border-radius: 6px;
      background: #fff1f0;
      border: 1px solid #ffccc7;
      color: #a8071a;
    }
    .ok {
      margin: 6px 0 0;
      color: #1a7f37;
      font-size: 12px;
    }
    .muted {
      color: #6e7781;
      margin: 6px 0 10px;
    }
    .section {
      border-bottom: 1px solid var(--cjw-border, #d8dee4);
      padding: 0 12px;
    }
    .section:last-child {
      border-bottom: none;
    }
    .sec-head {
      margin: 0;
      display: flex;
      align-items: center;
      justify-content: space-between;
      font-size: 13px;
    }
    .sec-toggle {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      border: none;
      background: none;
      padding: 10px 0;
      font-weight: 600;
      text-transform: uppercase;
      letter-spacing: 0.04em;
      font-size: 12px;
      color: #424a53;
    }
    .chev {
      transition: transform 0.15s;
    }
    .chev.open {
      transform: rotate(90deg);
    }
    .count {
      font-size: 12px;
      color: #6e7781;
      background: #eef1f4;
      border-radius: 999px;
      padding: 0 8px;
    }
    .kv {
      width: 100%;
      border-collapse: collapse;
      margin-bottom: 10px;
      table-layout: fixed;
    }
    .kv th,
    .kv td {
      text-align: left;
      vertical-align: top;
      padding: 4px 6px;
      border-top: 1px solid #eaeef2;
      font-size: 13px;
      overflow-wrap: anywhere;
    }
    .kv th {
      width: 38%;
      color: #57606a;
      font-weight: 500;
    }
    .kv tr.meta th,
    .kv tr.meta td {
      color: #6e7781;
      font-size: 12px;
    }
    .name {
      font-weight: 600;
      margin: 0 0 6px;
    }
    .aliases {
      list-style: none;
      margin: 0 0 8px;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 4px;
    }
    .alias {
      display: flex;
      align-items: center;
      gap: 8px;
      min-width: 0;
    }
    .alias .kind {
      flex: none;
      width: 92px;
      font-size: 12px;
      color: #57606a;
    }
    .alias .val {
      flex: 1;
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      font-size: 12.5px;
    }
    .add-alias {
      margin-bottom: 10px;
    }
    .add-alias input {
      flex: 1 1 120px;
    }
    .filters {
      display: flex;
      flex-direction: column;
      gap: 8px;
      margin-bottom: 6px;
    }
    .frame {
      display: flex;
      align-items: center;
      gap: 8px;
      font-size: 12px;
      color: #57606a;
    }
    .chips {
      display: flex;
      flex-wrap: wrap;
      gap: 6px;
    }
    .chip {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      border: 1px solid #d0d7de;
      border-radius: 999px;
      padding: 2px 10px;
      background: #fff;
      font-size: 12px;
      color: #6e7781;
    }
    .chip .sw {
      width: 8px;
      height: 8px;
      border-radius: 50%;
      border: 1.5px solid var(--c);
    }
    .chip.on {
      color: #1f2328;
      border-color: var(--c);
      background: color-mix(in srgb, var(--c) 8%, #fff);
    }
    .chip.on .sw {
      background: var(--c);
    }
    .day-head {
      position: sticky;
      top: 0;
      margin: 8px 0 4px;
      padding: 4px 0;
      font-size: 12px;
      font-weight: 600;
      color: #57606a;
      background: var(--cjw-bg, #fff);
      z-index: 1;
    }
    .events {
      list-style: none;
      margin: 0 0 4px;
      padding: 0;
      position: relative;
    }
    .events::before {
      content: '';
      position: absolute;
      left: 15px;
      top: 6px;
      bottom: 6px;
      width: 2px;
      background: #eaeef2;
    }
    .event {
      position: relative;
    }
    .event.fresh .ev-head {
      animation: flash 2.5s ease-out;
    }
    @keyframes flash {
      from {
        background: #fff6d6;
      }
      to {
        background: transparent;
      }
    }
    .ev-head {
      display: flex;
      align-items: flex-start;
      gap: 10px;
      width: 100%;
      text-align: left;
      border: none;
      background: transparent;
      padding: 6px 4px 6px 0;
      border-radius: 6px;
    }
    .ev-head:hover {
      background: #f6f8fa;
    }
    .ic {
      flex: none;
      position: relative;
      display: inline-flex;
      align-items: center;
      justify-content: center;
      width: 32px;
      height: 32px;
      border-radius: 50%;
      color: #fff;
      background: var(--c);
      box-shadow: 0 0 0 3px #fff;
    }
    .ev-main {
      flex: 1;
      min-width: 0;
      display: flex;
      flex-direction: column;
    }
    .ev-title {
      font-weight: 600;
      overflow-wrap: anywhere;
    }
    .ev-sub {
      font-size: 12px;
      color: #6e7781;
      overflow-wrap: anywhere;
    }
    .ev-side {
      flex: none;
      display: flex;
      flex-direction: column;
      align-items: flex-end;
      gap: 2px;
      max-width: 40%;
    }
    time {
      font-size: 12px;
      color: #57606a;
      white-space: nowrap;
    }
    .badge {
      font-size: 11px;
      border-radius: 4px;
      padding: 0 6px;
      color: var(--c);
      background: color-mix(in srgb, var(--c) 12%, #fff);
      max-width: 100%;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .ev-body {
      margin: 0 0 6px 42px;
    }
    .events.nested {
      margin: 0 0 6px 42px;
    }
    .events.nested::before {
      left: 15px;
    }
    .ic.stack {
      box-shadow: 0 0 0 3px #fff, 3px 3px 0 3px color-mix(in srgb, var(--c) 35%, #fff);
    }
    .task.fresh > .ev-head {
      animation: flash 2.5s ease-out;
    }
    .kv a {
      color: #0b4fc0;
      overflow-wrap: anywhere;
    }
    .edit-name {
      display: grid;
      grid-template-columns: auto 1fr;
      gap: 6px 8px;
      align-items: center;
      padding: 10px 12px;
      border-bottom: 1px solid var(--cjw-border, #d8dee4);
    }
    .edit-name label {
      font-size: 12px;
      color: #57606a;
    }
    .edit-name .row {
      grid-column: 1 / -1;
    }
    .edit-name button:not(.primary) {
      border: 1px solid #c9d1d9;
      background: #fff;
      border-radius: 6px;
      padding: 6px 12px;
    }
    .ok.pad {
      margin: 6px 12px;
    }
    .who .name {
      color: #1f2328;
      font-weight: 600;
    }
    .bad {
      color: #a8071a;
    }
    @container (max-width: 360px) {
      .alias .kind {
        width: 76px;
      }
      .kv th {
        width: 42%;
      }
      .ev-body {
        margin-left: 0;
      }
    }
  `);customElements.get("customer-journey-widget")||customElements.define("customer-journey-widget",z);export{Ie as ALIAS_KINDS,ce as COLORS,z as CustomerJourneyWidget,de as TIME_FRAMES,nt as customerFromInteraction,pe as dayKey,rt as safeHref};
